package io.hwnas.core.quant;

import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * Percentile calibration: an activation range clipped at the {@code p}-th percentile of the values seen (and at the
 * {@code (100 - p)}-th below), so that a few outliers do not stretch the grid. The percentile is the nearest-rank
 * order statistic (Commons Math {@link Percentile} with {@code R_1}: the smallest value with at least {@code p}% of
 * the values at or below it). Over several calibration batches the range is the mean of the batches' ranges.
 */
public final class PercentileRange {

    /** The lowest percentile allowed: below it the range would clip half the values. */
    public static final double MIN = 50;

    private double sumLo;
    private double sumHi;
    private int batches;

    /** The range of one batch's {@code values} clipped at percentile {@code p} (50 to 100; 100: min and max). */
    public static ActivationRange of(float[] values, double p) {
        check(p, "percentile");
        if (values.length == 0) {
            throw new IllegalArgumentException("a percentile range needs at least one value");
        }
        double[] v = new double[values.length];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
        }
        if (p == 100) {
            return new ActivationRange(min, max);
        }
        Percentile q = new Percentile().withEstimationType(Percentile.EstimationType.R_1);
        q.setData(v);
        return new ActivationRange(q.evaluate(100 - p), q.evaluate(p));
    }

    /** Adds one batch's values; returns the mean range of the batches so far. */
    public ActivationRange add(float[] values, double p) {
        ActivationRange r = of(values, p);
        sumLo += r.lo();
        sumHi += r.hi();
        batches++;
        return new ActivationRange(sumLo / batches, sumHi / batches);
    }

    /**
     * Checks a percentile (more than 50, at most 100).
     *
     * @param field the option's name, for the message
     */
    public static void check(double p, String field) {
        if (!(p > MIN && p <= 100)) {
            throw new IllegalArgumentException(field + " = " + p + " is not allowed; expected a percentile above "
                    + (int) MIN + " and at most 100 (e.g. 99.99; 100: min/max)");
        }
    }
}
