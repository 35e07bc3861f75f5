/** A search run: the driver loop with its journal and resume, progress, Pareto sets, model cards, manifest and final training. */
package io.hwnas.experiments.run;
