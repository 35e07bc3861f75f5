package io.hwnas.experiments.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Exact 2-D hypervolume of points to minimise, normalised to [0, 1] with reference point (1, 1). */
final class Hypervolume2d {

    private Hypervolume2d() {
    }

    /** The hypervolume dominated by {@code points} (each already scaled into [0, 1]^2). */
    static double of(List<double[]> points) {
        List<double[]> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble((double[] p) -> p[0]).thenComparingDouble(p -> p[1]));
        double hv = 0;
        double bestY = 1;
        for (double[] p : sorted) {
            if (p[0] >= 1 || p[1] >= bestY) {
                continue;
            }
            hv += (1 - p[0]) * (bestY - p[1]);
            bestY = p[1];
        }
        return hv;
    }
}
