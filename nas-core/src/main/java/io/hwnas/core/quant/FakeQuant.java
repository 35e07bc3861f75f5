package io.hwnas.core.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The quantisation arithmetic of hwnas (shared with the QDQ export), as DJL array operations in float32. Weights:
 * symmetric per output channel, zero point 0, narrow range ({@code qmax = 2^(bits-1) - 1}, {@code scale_c =
 * max|W_c| / qmax}, 1 when the channel is all zeros, {@code q = clamp(roundHalfEven(W / scale_c), -qmax, qmax)});
 * 16 bits round to float16; 1 bit is XNOR-Net's {@code alpha_c * sign(W_c)} with {@code alpha_c = mean|W_c|} and
 * {@code sign(0) = +1}; 32 bits are left alone. Activations: asymmetric per tensor ({@link ActivationRange}).
 * PyTorch's {@code round} rounds half to even, as ONNX's QuantizeLinear does.
 */
public final class FakeQuant {

    private FakeQuant() {
    }

    /** The dequantised weights {@code w} (output channels first) at {@code bits} weight bits. */
    public static NDArray weights(NDArray w, int bits) {
        switch (bits) {
            case 32:
                return w;
            case 16:
                return w.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false);
            case 1:
                return binary(w);
            case 2:
            case 4:
            case 8:
                return perChannel(w, bits);
            default:
                throw new IllegalArgumentException("weight bits must be 1, 2, 4, 8, 16 or 32, but were " + bits);
        }
    }

    /** Per-channel symmetric narrow-range quantisation of {@code w}, dequantised. */
    static NDArray perChannel(NDArray w, int bits) {
        float qmax = (1 << (bits - 1)) - 1;
        NDArray max = perChannelReduce(w.abs(), true);
        NDArray scale = max.div(qmax).add(max.eq(0f).toType(DataType.FLOAT32, false));
        return w.div(scale).round().clip(-qmax, qmax).mul(scale);
    }

    /** XNOR-Net's binary weights: the mean absolute value of each output channel times the sign (+1 at 0). */
    static NDArray binary(NDArray w) {
        NDArray alpha = perChannelReduce(w.abs(), false);
        NDArray sign = w.gte(0f).toType(DataType.FLOAT32, false).mul(2f).sub(1f);
        return sign.mul(alpha);
    }

    /** The per-output-channel maximum (or mean) of {@code a}, shaped to broadcast against it. */
    private static NDArray perChannelReduce(NDArray a, boolean max) {
        Shape s = a.getShape();
        long[] b = new long[s.dimension()];
        java.util.Arrays.fill(b, 1);
        b[0] = s.get(0);
        NDArray flat = a.reshape(s.get(0), -1);
        NDArray r = max ? flat.max(new int[] {1}) : flat.mean(new int[] {1});
        return r.reshape(new Shape(b));
    }

    /** The dequantised activations {@code x} in {@code range} at {@code bits} (16 and 32 bits: {@code x} itself). */
    public static NDArray activations(NDArray x, ActivationRange range, int bits) {
        if (bits >= 16) {
            return x;
        }
        ActivationRange.Grid g = range.grid(bits);
        return x.div(g.scale()).round().add(g.zeroPoint()).clip(0, g.levels()).sub(g.zeroPoint()).mul(g.scale());
    }

    /** The straight-through estimator: the value of {@code q}, the gradient of {@code x} (identity). */
    public static NDArray ste(NDArray x, NDArray q) {
        return q == x ? x : x.add(q.sub(x).stopGradient());
    }

    /**
     * The clipped straight-through estimator: the value of {@code q}, the gradient of {@code x} where {@code x} lies
     * inside {@code [lo, hi]} and zero outside it.
     */
    public static NDArray clippedSte(NDArray x, NDArray q, float lo, float hi) {
        if (q == x) {
            return x;
        }
        NDArray c = x.clip(lo, hi);
        return c.add(q.sub(c).stopGradient());
    }
}
