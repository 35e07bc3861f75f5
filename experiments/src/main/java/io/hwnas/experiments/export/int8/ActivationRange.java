package io.hwnas.experiments.export.int8;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * A per-tensor uint8 activation range: scale and zero point; and the ways of choosing one from calibration values
 * (min/max, percentiles, least quantisation error).
 */
record ActivationRange(float scale, int zeroPoint) {

    /** Values (an evenly strided part of the sample) on which MSE ranges are scored. */
    static final int MSE_VALUES = 1 << 16;

    static ActivationRange of(float min, float max) {
        float lo = Math.min(0f, min);
        float hi = Math.max(0f, max);
        if (hi - lo <= 0f) {
            return new ActivationRange(1f, 0);
        }
        float scale = (hi - lo) / 255f;
        int zp = Math.round(-lo / scale);
        return new ActivationRange(scale, Math.max(0, Math.min(255, zp)));
    }

    float min() {
        return -zeroPoint * scale;
    }

    float max() {
        return (255 - zeroPoint) * scale;
    }

    /** The range from the {@code (100 - p)}-th to the {@code p}-th percentile of the values. */
    static ActivationRange percentile(float[] values, double p) {
        return percentile(percentiles(values), p);
    }

    /**
     * The values' percentiles by linear interpolation between the closest ranks (Commons Math {@code R_7}, the
     * default of R and NumPy), data set once so that several percentiles share one sort.
     */
    private static Percentile percentiles(float[] values) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        Percentile q = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
        q.setData(v);
        return q;
    }

    /** The range from the {@code (100 - p)}-th to the {@code p}-th percentile (at 100: the minimum and maximum). */
    private static ActivationRange percentile(Percentile q, double p) {
        double lo = p >= 100 ? StatUtils.min(q.getData()) : q.evaluate(100 - p);
        return of((float) lo, (float) q.evaluate(p));
    }

    /**
     * The range of least mean squared uint8 quantisation error over the values, among the min/max range
     * shrunk by factors 1, 0.95, ..., 0.3 on either side and the 99th to 99.999th percentile ranges.
     */
    static ActivationRange leastError(float[] values, float min, float max) {
        Percentile q = percentiles(values);
        int stride = Math.max(1, values.length / MSE_VALUES);
        float[] probe = new float[(values.length + stride - 1) / stride];
        for (int i = 0; i < probe.length; i++) {
            probe[i] = values[i * stride];
        }
        List<ActivationRange> candidates = new ArrayList<>();
        for (double f = 1.0; f >= 0.3 - 1e-9; f -= 0.05) {
            candidates.add(of((float) (min * f), (float) (max * f)));
            candidates.add(of(min, (float) (max * f)));
            candidates.add(of((float) (min * f), max));
        }
        for (double p : new double[] {99, 99.9, 99.99, 99.999}) {
            candidates.add(percentile(q, p));
        }
        ActivationRange best = null;
        double bestErr = Double.POSITIVE_INFINITY;
        for (ActivationRange r : candidates) {
            double err = r.error(probe);
            if (err < bestErr) {
                bestErr = err;
                best = r;
            }
        }
        return best;
    }

    /** The summed squared error of quantising and dequantising the values with this range. */
    double error(float[] values) {
        double sum = 0;
        float s = scale;
        int zp = zeroPoint;
        for (float f : values) {
            long q = Math.max(0, Math.min(255, Math.round(f / s) + zp));
            double d = (q - zp) * (double) s - f;
            sum += d * d;
        }
        return sum;
    }
}
