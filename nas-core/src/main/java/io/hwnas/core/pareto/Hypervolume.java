package io.hwnas.core.pareto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The hypervolume a set of minimised points dominates up to a reference point: exact for two and
 * three objectives, Monte Carlo beyond; and the hypervolume gap of a found set to a known front.
 */
public final class Hypervolume {

    /** Samples of the Monte Carlo estimate for four or more objectives. */
    public static final int DEFAULT_SAMPLES = 200_000;

    private Hypervolume() {
    }

    /**
     * The hypervolume of the points up to {@code reference} (points not strictly below the
     * reference in every objective add nothing). Exact for up to 3 objectives; beyond, a Monte
     * Carlo estimate with {@link #DEFAULT_SAMPLES} samples from a generator seeded with 0.
     */
    public static double of(double[][] points, double[] reference) {
        return of(points, reference, DEFAULT_SAMPLES, new java.util.SplittableRandom(0));
    }

    /** As {@link #of(double[][], double[])}, with the Monte Carlo samples and generator given. */
    public static double of(double[][] points, double[] reference, int samples, RandomGenerator random) {
        double[][] inside = inside(points, reference);
        if (inside.length == 0) {
            return 0;
        }
        return switch (reference.length) {
            case 1 -> reference[0] - Arrays.stream(inside).mapToDouble(p -> p[0]).min().orElseThrow();
            case 2 -> exact2d(inside, reference);
            case 3 -> exact3d(inside, reference);
            default -> monteCarlo(inside, reference, samples, random);
        };
    }

    /**
     * The hypervolume gap {@code 1 - HV(found) / HV(front)}: 0 when the found set dominates as much as
     * the reference front, 1 when it dominates nothing.
     *
     * @throws IllegalArgumentException if the front dominates nothing up to the reference point
     */
    public static double gap(double[][] found, double[][] front, double[] reference) {
        double hvFront = of(front, reference);
        if (!(hvFront > 0)) {
            throw new IllegalArgumentException("the reference front dominates no volume up to the reference point "
                    + Arrays.toString(reference));
        }
        return 1 - of(found, reference) / hvFront;
    }

    private static double[][] inside(double[][] points, double[] reference) {
        List<double[]> out = new ArrayList<>();
        for (double[] p : points) {
            Pareto.requireSameLength(p, reference);
            boolean in = true;
            for (int i = 0; i < p.length; i++) {
                if (!(p[i] < reference[i])) {
                    in = false;
                    break;
                }
            }
            if (in) {
                out.add(p);
            }
        }
        return out.toArray(double[][]::new);
    }

    /** Sweep over x: each point on the staircase adds the slab between its y and the best y so far. */
    static double exact2d(double[][] points, double[] ref) {
        double[][] sorted = points.clone();
        Arrays.sort(sorted, Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        double volume = 0;
        double bestY = ref[1];
        for (double[] p : sorted) {
            if (p[1] < bestY) {
                volume += (ref[0] - p[0]) * (bestY - p[1]);
                bestY = p[1];
            }
        }
        return volume;
    }

    /** Slabs between consecutive z values, each the 2-D hypervolume of the points at or below it. */
    static double exact3d(double[][] points, double[] ref) {
        double[][] sorted = points.clone();
        Arrays.sort(sorted, Comparator.comparingDouble(p -> p[2]));
        double volume = 0;
        double[] ref2 = {ref[0], ref[1]};
        for (int i = 0; i < sorted.length; i++) {
            double zNext = i + 1 < sorted.length ? sorted[i + 1][2] : ref[2];
            double depth = zNext - sorted[i][2];
            if (depth <= 0) {
                continue;
            }
            double[][] slab = new double[i + 1][];
            for (int j = 0; j <= i; j++) {
                slab[j] = new double[] {sorted[j][0], sorted[j][1]};
            }
            volume += exact2d(slab, ref2) * depth;
        }
        return volume;
    }

    private static double monteCarlo(double[][] points, double[] ref, int samples, RandomGenerator random) {
        if (samples <= 0) {
            throw new IllegalArgumentException("samples must be positive, but was " + samples);
        }
        int m = ref.length;
        double[] lo = ref.clone();
        for (double[] p : points) {
            for (int i = 0; i < m; i++) {
                lo[i] = Math.min(lo[i], p[i]);
            }
        }
        double box = 1;
        for (int i = 0; i < m; i++) {
            box *= ref[i] - lo[i];
        }
        double[][] front = Arrays.stream(Pareto.nonDominated(points)).mapToObj(i -> points[i]).toArray(double[][]::new);
        int hits = 0;
        double[] x = new double[m];
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < m; i++) {
                x[i] = lo[i] + random.nextDouble() * (ref[i] - lo[i]);
            }
            for (double[] p : front) {
                if (weaklyDominates(p, x)) {
                    hits++;
                    break;
                }
            }
        }
        return box * hits / samples;
    }

    private static boolean weaklyDominates(double[] p, double[] x) {
        for (int i = 0; i < p.length; i++) {
            if (p[i] > x[i]) {
                return false;
            }
        }
        return true;
    }
}
