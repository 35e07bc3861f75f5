/** Fitting an analytical model's free numbers to measured latencies, giving a calibration file for a device. */
package io.hwnas.cost.calibration;
