/** The self-contained HTML report of a run: Pareto plots, hypervolume, tables, per-layer breakdowns and the strategy's trajectory. */
package io.hwnas.experiments.report;
