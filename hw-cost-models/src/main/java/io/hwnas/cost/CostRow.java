package io.hwnas.cost;

/**
 * One architecture compiled for a {@link FastPath}: interned kernel ids with their counts (pairs in
 * {@code kernels}) and the numbers the path needs per estimate (memory, violations, plan sums).
 *
 * @param kernels kernel id, count, kernel id, count, ... (empty for paths that need none)
 * @param numbers the path's per-architecture numbers
 */
public record CostRow(int[] kernels, double[] numbers) {
}
