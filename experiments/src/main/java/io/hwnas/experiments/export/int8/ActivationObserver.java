package io.hwnas.experiments.export.int8;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Min, max, per-channel means and a seeded sample (at most {@link #SAMPLE_CAP} values) of one tensor's
 * calibration values.
 */
final class ActivationObserver {

    /** Values kept per tensor for percentile and MSE ranges (a seeded sample when a tensor has more). */
    static final int SAMPLE_CAP = 1 << 20;

    private final SplittableRandom random;
    private final double[] channelSums;
    private long perChannel;
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private float[] sample = new float[1024];
    private int size;

    ActivationObserver(SplittableRandom random, int channels) {
        this.random = random;
        this.channelSums = new double[channels];
    }

    /**
     * Adds the values of {@code samples} samples (N x C x ...); {@code total} is the number of values the whole
     * batch will add (sets the sampling rate).
     */
    void add(float[] v, int samples, long total) {
        double rate = Math.min(1.0, SAMPLE_CAP / (double) Math.max(1, total));
        int channels = channelSums.length;
        int inner = v.length / samples / channels;
        for (int i = 0; i < v.length; i++) {
            float f = v[i];
            min = Math.min(min, f);
            max = Math.max(max, f);
            channelSums[i / inner % channels] += f;
        }
        perChannel += (long) samples * inner;
        if (rate >= 1.0) {
            for (float f : v) {
                put(f);
            }
            return;
        }
        int gap = (int) Math.max(1, Math.round(1 / rate));
        for (int i = random.nextInt(gap); i < v.length; i += 1 + random.nextInt(2 * gap - 1)) {
            put(v[i]);
        }
    }

    private void put(float f) {
        if (size == sample.length) {
            sample = Arrays.copyOf(sample, sample.length * 2);
        }
        sample[size++] = f;
    }

    /** The mean of each channel over samples and positions. */
    double[] channelMeans() {
        double[] m = new double[channelSums.length];
        for (int c = 0; c < m.length; c++) {
            m[c] = perChannel == 0 ? 0 : channelSums[c] / perChannel;
        }
        return m;
    }

    /** The range the options' method sets from the values seen. */
    ActivationRange range(Int8Options options) {
        if (size == 0) {
            return ActivationRange.of(0, 0);
        }
        return switch (options.method()) {
            case MINMAX -> ActivationRange.of(min, max);
            case PERCENTILE -> ActivationRange.percentile(Arrays.copyOf(sample, size), options.percentile());
            case MSE -> ActivationRange.leastError(Arrays.copyOf(sample, size), min, max);
        };
    }
}
