/** Evolutionary strategies: NSGA-II on Jenetics and aging evolution. */
package io.hwnas.search.evolution;
