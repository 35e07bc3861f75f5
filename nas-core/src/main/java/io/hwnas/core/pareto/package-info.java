/** Pareto maths: non-dominated sorting, crowding distance, hypervolume and min-max scaling. */
package io.hwnas.core.pareto;
