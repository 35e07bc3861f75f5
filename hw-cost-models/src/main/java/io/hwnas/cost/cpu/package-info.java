/** The analytical CPU cost model: a per-kernel roofline with per-class efficiencies and overheads. */
package io.hwnas.cost.cpu;
