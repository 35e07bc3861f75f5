package io.hwnas.core.quant;

import io.hwnas.core.plugin.PluginOptions;
import java.util.List;
import java.util.Map;
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
     * The calibration an estimator's options ask for, as a percentile (100: min/max): option {@code calibration}
     * ({@code minmax} or {@code percentile}, the default following {@code current}) and, with {@code percentile},
     * option {@code percentile} (default {@code current} when below 100, else 99.99).
     *
     * @param owner   the estimator, for messages, e.g. "qat"
     * @param options the raw options, to tell a given {@code percentile} from a default
     * @throws IllegalArgumentException naming the option: a bad value, or {@code percentile} given with min/max
     */
    public static double fromOptions(PluginOptions o, Map<String, ?> options, double current, String owner) {
        String calibration = o.string("calibration", current < 100 ? "percentile" : "minmax",
                List.of("minmax", "percentile"));
        if (calibration.equals("percentile")) {
            double p = o.number("percentile", current < 100 ? current : 99.99, MIN, 100);
            check(p, owner + ": option percentile");
            return p;
        }
        if (options != null && options.containsKey("percentile")) {
            throw new IllegalArgumentException(owner + ": option percentile goes with calibration: percentile, but "
                    + "calibration is minmax");
        }
        return 100;
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
