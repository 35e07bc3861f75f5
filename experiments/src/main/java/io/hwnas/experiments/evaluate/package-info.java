/** Evaluation of one candidate: accuracy once, then its costs on every device target, with lineage for weight inheritance. */
package io.hwnas.experiments.evaluate;
