/** Validation of a cost model against held-out measurements: rank agreement, errors and the FLOPs baseline, per column and per table. */
package io.hwnas.cost.validation;
