/** A harness that measures strategies on NAS-Bench-201 against the true Pareto front of the shipped tables. */
package io.hwnas.search.harness;
