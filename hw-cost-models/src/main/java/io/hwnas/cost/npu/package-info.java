/** The analytical NPU cost model: a systolic array with its dataflows, buffer tiling, vector unit and host fallback. */
package io.hwnas.cost.npu;
