/** Device profiles (numbers with sources, settings), the shipped catalog, and calibration files of fitted numbers applied on top of a profile; the bottom layer of the module. */
package io.hwnas.cost.device;
