/** The analytical GPU cost model: a per-kernel roofline with launch overheads and on-chip and DRAM energy. */
package io.hwnas.cost.gpu;
