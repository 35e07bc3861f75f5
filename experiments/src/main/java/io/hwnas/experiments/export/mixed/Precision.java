package io.hwnas.experiments.export.mixed;

import io.hwnas.core.quant.ActivationRange;

/**
 * The arithmetic of the hwnas quantisation convention (shared with the fake-quantised DJL training): symmetric
 * narrow-range per-output-channel weights ({@code qmax = 2^(bits-1) - 1}, round half to even), binary weights
 * ({@code alpha_c * sign(W)}, {@code alpha_c = mean|W_c|}), float16 weights, and asymmetric unsigned per-tensor
 * activations over a range that includes 0. Every step is float32, as ONNX Runtime computes it.
 */
public final class Precision {

    private Precision() {
    }

    /**
     * Weights at some bits, as stored and as the network computes with them.
     *
     * @param bits        the weight bits (1, 2, 4, 8, 16 or 32)
     * @param q           integer values per element (null for 16 and 32 bits)
     * @param scales      per output channel (null for 16 and 32 bits)
     * @param dequantized the values the network computes with ({@code q * scale}, the float16 rounding, or the
     *                    weights themselves)
     */
    public record Weights(int bits, int[] q, float[] scales, float[] dequantized) {
    }

    /** The weights {@code w} (output channels along dimension 0) at {@code bits}. */
    public static Weights weights(float[] w, int channels, int bits) {
        return switch (bits) {
            case 32 -> new Weights(32, null, null, w.clone());
            case 16 -> {
                float[] d = new float[w.length];
                for (int i = 0; i < w.length; i++) {
                    d[i] = fromHalf(toHalf(w[i]));
                }
                yield new Weights(16, null, null, d);
            }
            case 1 -> binary(w, channels);
            case 2, 4, 8 -> symmetric(w, channels, bits);
            default -> throw new IllegalArgumentException("weight bits " + bits
                    + " have no quantisation; allowed: 1, 2, 4, 8, 16, 32");
        };
    }

    private static Weights symmetric(float[] w, int channels, int bits) {
        int qmax = (1 << (bits - 1)) - 1;
        int per = w.length / channels;
        int[] q = new int[w.length];
        float[] scales = new float[channels];
        float[] d = new float[w.length];
        for (int c = 0; c < channels; c++) {
            float max = 0;
            for (int j = 0; j < per; j++) {
                max = Math.max(max, Math.abs(w[c * per + j]));
            }
            float s = max == 0 ? 1f : max / qmax;
            scales[c] = s;
            for (int j = 0; j < per; j++) {
                int i = c * per + j;
                q[i] = (int) Math.max(-qmax, Math.min(qmax, Math.rint(w[i] / s)));
                d[i] = q[i] * s;
            }
        }
        return new Weights(bits, q, scales, d);
    }

    private static Weights binary(float[] w, int channels) {
        int per = w.length / channels;
        int[] q = new int[w.length];
        float[] scales = new float[channels];
        float[] d = new float[w.length];
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int j = 0; j < per; j++) {
                sum += Math.abs(w[c * per + j]);
            }
            float alpha = (float) (sum / per);
            scales[c] = alpha;
            for (int j = 0; j < per; j++) {
                int i = c * per + j;
                q[i] = w[i] < 0 ? -1 : 1;
                d[i] = q[i] * alpha;
            }
        }
        return new Weights(1, q, scales, d);
    }

    /**
     * An activation quantiser: asymmetric, unsigned, per tensor.
     *
     * @param bits      2, 4, 8 (or 16 and 32: not integer-quantised, {@link #apply} returns the value)
     * @param scale     {@code (hi - lo) / (2^bits - 1)} (1 when the range is empty)
     * @param zeroPoint {@code clamp(rint(-lo / scale), 0, 2^bits - 1)}
     */
    public record Activation(int bits, float scale, int zeroPoint) {

        /** The largest quantised value, {@code 2^bits - 1}. */
        public int qmax() {
            return (1 << bits) - 1;
        }

        /** Whether values are integer-quantised (2, 4 and 8 bits). */
        public boolean quantizes() {
            return bits <= 8;
        }

        /** The quantised integer of {@code x}. */
        public int quantize(float x) {
            return (int) Math.max(0, Math.min(qmax(), Math.rint(x / scale) + zeroPoint));
        }

        /** {@code x} quantised and dequantised ({@code x} itself when not integer-quantised). */
        public float apply(float x) {
            return quantizes() ? (quantize(x) - zeroPoint) * scale : x;
        }
    }

    /** The quantiser of a tensor with range {@code [lo, hi]} (extended to include 0) at {@code bits}. */
    public static Activation activation(double lo, double hi, int bits) {
        if (bits != 2 && bits != 4 && bits != 8 && bits != 16 && bits != 32) {
            throw new IllegalArgumentException("activation bits " + bits
                    + " have no quantisation; allowed: 2, 4, 8, 16, 32");
        }
        if (bits <= 8) { // the grid quantisation-aware training uses, so export and training agree exactly
            ActivationRange.Grid g = new ActivationRange(lo, hi).grid(bits);
            return new Activation(bits, g.scale(), g.zeroPoint());
        }
        float l = (float) Math.min(lo, 0);
        float h = (float) Math.max(hi, 0);
        float scale = h - l == 0 ? 1f : h - l; // 16 and 32 bits keep floats; one level spans the range
        return new Activation(bits, scale, (int) Math.max(0, Math.min(1, Math.rint(-l / scale))));
    }

    /** The IEEE half-precision bits of {@code f}, rounded to nearest even (overflow to infinity). */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int v = bits & 0x7fffffff;
        if (v >= 0x7f800000) {
            return (short) (sign | 0x7c00 | (v > 0x7f800000 ? 0x200 : 0));
        }
        if (v >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (v < 0x38800000) { // below the smallest normal half: a subnormal or zero
            return (short) (sign | (int) Math.rint(Float.intBitsToFloat(v) * 0x1p24f));
        }
        int h = ((((v >>> 23) - 127 + 15)) << 10) | ((v & 0x7fffff) >>> 13);
        int rest = v & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1) == 1)) {
            h++;
        }
        return (short) (sign | h);
    }

    /** The float of half-precision bits. */
    public static float fromHalf(short half) {
        int h = half & 0xffff;
        float sign = (h & 0x8000) != 0 ? -1f : 1f;
        int e = (h >>> 10) & 0x1f;
        int m = h & 0x3ff;
        if (e == 0) {
            return sign * m * 0x1p-24f;
        }
        if (e == 31) {
            return m == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
        }
        return Float.intBitsToFloat(((h & 0x8000) << 16) | ((e - 15 + 127) << 23) | (m << 13));
    }

    /** 4-bit values packed two per byte, the first in the low nibble (ONNX INT4/UINT4 raw data). */
    public static byte[] packNibbles(int[] v) {
        byte[] out = new byte[(v.length + 1) / 2];
        for (int i = 0; i < v.length; i++) {
            int nibble = v[i] & 0xf;
            out[i / 2] |= (byte) (i % 2 == 0 ? nibble : nibble << 4);
        }
        return out;
    }
}
