/** The self-contained interactive HTML report of a run, the comparison of runs, and vector figures of its charts. */
package io.hwnas.experiments.report;
