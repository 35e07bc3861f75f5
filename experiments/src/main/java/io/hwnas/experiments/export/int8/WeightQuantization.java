package io.hwnas.experiments.export.int8;


/**
 * Symmetric int8 per-output-channel weights, int32 biases at scale input-scale x weight-scale, and empirical bias
 * correction.
 */
final class WeightQuantization {

    private static final double INT32_LIMIT = Integer.MAX_VALUE - 1.0;

    private WeightQuantization() {
    }

    /**
     * Symmetric per-channel weight scales (max |w| / 127), each widened where needed so that the channel's
     * bias fits int32 at scale {@code inputScale * weightScale} (as ONNX Runtime's quantiser does).
     */
    static float[] weightScales(float[] w, int channels, float[] bias, float inputScale) {
        int per = w.length / channels;
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            float max = 0;
            for (int j = 0; j < per; j++) {
                max = Math.max(max, Math.abs(w[c * per + j]));
            }
            double s = max == 0 ? 1.0 : max / 127.0;
            if (bias != null && Math.abs(bias[c]) / ((double) inputScale * s) > INT32_LIMIT) {
                s = Math.abs(bias[c]) / ((double) inputScale * INT32_LIMIT) * (1 + 1e-6);
            }
            scales[c] = (float) s;
        }
        return scales;
    }

    /** Symmetric int8 per channel along dimension 0 with max-abs scales; fills {@code scales}. */
    static byte[] quantizePerChannel(float[] w, int channels, float[] scales) {
        float[] s = weightScales(w, channels, null, 1f);
        System.arraycopy(s, 0, scales, 0, channels);
        return quantizePerChannelWith(w, channels, scales);
    }

    /** Symmetric int8 per channel along dimension 0 with the given scales, clamped to [-127, 127]. */
    static byte[] quantizePerChannelWith(float[] w, int channels, float[] scales) {
        int per = w.length / channels;
        byte[] q = new byte[w.length];
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < per; j++) {
                long v = Math.round(w[c * per + j] / (double) scales[c]);
                q[c * per + j] = (byte) Math.max(-127, Math.min(127, v));
            }
        }
        return q;
    }

    /** int32 biases at scale {@code inputScale * weightScale[c]}; fills {@code scales}. */
    static int[] quantizeBias(float[] bias, float inputScale, float[] weightScales, float[] scales) {
        int[] q = new int[bias.length];
        for (int c = 0; c < bias.length; c++) {
            scales[c] = inputScale * weightScales[c];
            double v = Math.rint(bias[c] / (double) scales[c]);
            q[c] = (int) Math.max(-INT32_LIMIT, Math.min(INT32_LIMIT, v));
        }
        return q;
    }

    /**
     * Empirical bias correction: the bias minus the mean shift the weight rounding causes,
     * {@code sum_i,k (Wq - W)[o, i, k] * E[x_i]}, with per-channel input means from the calibration batch.
     */
    static float[] correctBias(float[] bias, float[] w, byte[] wq, float[] wScale, double[] inputMeans, int groups) {
        int out = bias.length;
        int per = w.length / out;
        int inPerGroup = inputMeans.length / groups;
        int kernel = per / inPerGroup;
        int outPerGroup = out / groups;
        float[] corrected = bias.clone();
        for (int o = 0; o < out; o++) {
            int g = o / outPerGroup;
            double shift = 0;
            for (int i = 0; i < inPerGroup; i++) {
                double mean = inputMeans[g * inPerGroup + i];
                for (int k = 0; k < kernel; k++) {
                    int idx = o * per + i * kernel + k;
                    shift += (wq[idx] * (double) wScale[o] - w[idx]) * mean;
                }
            }
            corrected[o] = (float) (bias[o] - shift);
        }
        return corrected;
    }
}
