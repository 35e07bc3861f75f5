package io.hwnas.core.pareto;

import java.util.Arrays;

/**
 * Min-max normalisation of objective vectors to [0, 1] per objective, with bounds taken from a
 * reference set (e.g. a whole benchmark table) so that hypervolumes of different sets compare.
 */
public record MinMaxScaler(double[] min, double[] max) {

    public MinMaxScaler {
        min = min.clone();
        max = max.clone();
        if (min.length != max.length || min.length == 0) {
            throw new IllegalArgumentException("min and max need the same, positive number of objectives, but had "
                    + min.length + " and " + max.length);
        }
        for (int i = 0; i < min.length; i++) {
            if (!(max[i] > min[i])) {
                throw new IllegalArgumentException("objective " + i + " needs max > min, but was min " + min[i]
                        + ", max " + max[i]);
            }
        }
    }

    /** The bounds of the given points (each objective's minimum and maximum). */
    public static MinMaxScaler fit(double[][] points) {
        if (points.length == 0) {
            throw new IllegalArgumentException("cannot fit a scaler to no points");
        }
        double[] lo = points[0].clone();
        double[] hi = points[0].clone();
        for (double[] p : points) {
            for (int i = 0; i < lo.length; i++) {
                lo[i] = Math.min(lo[i], p[i]);
                hi[i] = Math.max(hi[i], p[i]);
            }
        }
        return new MinMaxScaler(lo, hi);
    }

    public double[] scale(double[] point) {
        double[] out = new double[point.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (point[i] - min[i]) / (max[i] - min[i]);
        }
        return out;
    }

    public double[][] scale(double[][] points) {
        return Arrays.stream(points).map(this::scale).toArray(double[][]::new);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MinMaxScaler s && Arrays.equals(min, s.min) && Arrays.equals(max, s.max);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(min) + Arrays.hashCode(max);
    }

    @Override
    public String toString() {
        return "MinMaxScaler[min=" + Arrays.toString(min) + ", max=" + Arrays.toString(max) + "]";
    }

    @Override
    public double[] min() {
        return min.clone();
    }

    @Override
    public double[] max() {
        return max.clone();
    }
}
