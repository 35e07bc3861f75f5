package io.hwnas.experiments.report;

import io.hwnas.core.pareto.Hypervolume;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.search.Evaluation;
import java.util.ArrayList;
import java.util.List;

/**
 * Normalised hypervolume of accuracy against a device's first cost objective: both scaled to
 * [0, 0.999] by bounds, reference point (1, 1), so 1 is the best any set can reach.
 */
public final class Hypervolumes {

    private Hypervolumes() {
    }

    /** The bounds (min and max accuracy, min and max cost) of the evaluations the device admits. */
    public record Bounds(double minAccuracy, double maxAccuracy, double minCost, double maxCost) {

        /** The bounds of {@code evaluations} on {@code d}. */
        public static Bounds of(DeviceObjectives d, List<Evaluation> evaluations) {
            String metric = d.metric(d.metrics().get(0));
            double minA = Double.POSITIVE_INFINITY;
            double maxA = Double.NEGATIVE_INFINITY;
            double minC = Double.POSITIVE_INFINITY;
            double maxC = Double.NEGATIVE_INFINITY;
            for (Evaluation e : evaluations) {
                if (d.admits(e)) {
                    minA = Math.min(minA, e.metric("accuracy"));
                    maxA = Math.max(maxA, e.metric("accuracy"));
                    minC = Math.min(minC, e.metric(metric));
                    maxC = Math.max(maxC, e.metric(metric));
                }
            }
            return new Bounds(minA, maxA, minC, maxC);
        }

        /** The wider of two bounds. */
        public Bounds union(Bounds o) {
            return new Bounds(Math.min(minAccuracy, o.minAccuracy), Math.max(maxAccuracy, o.maxAccuracy),
                    Math.min(minCost, o.minCost), Math.max(maxCost, o.maxCost));
        }

        double[] point(DeviceObjectives d, Evaluation e) {
            return new double[] {scale(e.metric(d.metric(d.metrics().get(0))), minCost, maxCost),
                1 - scale(e.metric("accuracy"), minAccuracy, maxAccuracy)};
        }
    }

    /** The hypervolume after each evaluation, in journal order, with the run's own bounds. */
    public static double[] progress(DeviceObjectives d, List<Evaluation> evaluations) {
        Bounds b = Bounds.of(d, evaluations);
        double[] out = new double[evaluations.size()];
        List<double[]> front = new ArrayList<>();
        double hv = 0;
        for (int i = 0; i < evaluations.size(); i++) {
            Evaluation e = evaluations.get(i);
            if (d.admits(e) && add(front, b.point(d, e))) {
                hv = Hypervolume.of(front.toArray(double[][]::new), new double[] {1, 1});
            }
            out[i] = hv;
        }
        return out;
    }

    /** The hypervolume of a set of evaluations (those the device admits) within the given bounds. */
    public static double of(DeviceObjectives d, List<Evaluation> evaluations, Bounds b) {
        List<double[]> front = new ArrayList<>();
        for (Evaluation e : evaluations) {
            if (d.admits(e)) {
                add(front, b.point(d, e));
            }
        }
        return front.isEmpty() ? 0 : Hypervolume.of(front.toArray(double[][]::new), new double[] {1, 1});
    }

    /** Adds {@code p} to a non-dominated set (minimising both) unless dominated; true when it went in. */
    private static boolean add(List<double[]> front, double[] p) {
        for (double[] q : front) {
            if (q[0] <= p[0] && q[1] <= p[1]) {
                return false;
            }
        }
        front.removeIf(q -> p[0] <= q[0] && p[1] <= q[1]);
        front.add(p);
        return true;
    }

    private static double scale(double v, double min, double max) {
        return max > min ? (v - min) / (max - min) * 0.999 : 0;
    }
}
