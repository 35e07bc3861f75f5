package io.hwnas.core.quant;

/**
 * The range {@code [lo, hi]} of one MAC layer's input and its asymmetric per-tensor quantisation grid: the range is
 * extended to include 0, {@code scale = (hi - lo) / (2^bits - 1)} (1 when the range is empty), zero point
 * {@code z = clamp(roundHalfEven(-lo / scale), 0, 2^bits - 1)}; a value {@code x} becomes
 * {@code (clamp(roundHalfEven(x / scale) + z, 0, 2^bits - 1) - z) * scale}. The scale is a float32, as ONNX's
 * {@code y_scale}; the zero point is computed from it in double.
 *
 * @param lo the lower end, at most 0
 * @param hi the upper end, at least 0
 */
public record ActivationRange(double lo, double hi) {

    /**
     * The quantisation grid at some bit width.
     *
     * @param scale     the step between levels
     * @param zeroPoint the level of 0
     * @param levels    the highest level, {@code 2^bits - 1}
     */
    public record Grid(float scale, int zeroPoint, int levels) {

        /** The smallest value the grid represents. */
        public float min() {
            return -zeroPoint * scale;
        }

        /** The largest value the grid represents. */
        public float max() {
            return (levels - zeroPoint) * scale;
        }
    }

    public ActivationRange {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("an activation range must be finite, but was [" + lo + ", " + hi + "]");
        }
        double a = Math.min(lo, 0);
        double b = Math.max(hi, 0);
        lo = Math.min(a, b);
        hi = Math.max(a, b);
    }

    /** The range of values seen so far widened by {@code [min, max]}. */
    public ActivationRange widen(double min, double max) {
        return new ActivationRange(Math.min(lo, min), Math.max(hi, max));
    }

    /** An exponential moving average step towards a batch's {@code [min, max]}: {@code m * old + (1 - m) * new}. */
    public ActivationRange ema(double min, double max, double m) {
        return new ActivationRange(m * lo + (1 - m) * min, m * hi + (1 - m) * max);
    }

    /** The grid at {@code bits} (2 to 15). */
    public Grid grid(int bits) {
        if (bits < 2 || bits > 15) {
            throw new IllegalArgumentException("activation bits must be 2 to 15 for an integer grid, but were " + bits);
        }
        int levels = (1 << bits) - 1;
        float step = (float) ((hi - lo) / levels);
        float scale = step > 0 ? step : 1f;
        double z = Math.rint(-lo / scale);
        return new Grid(scale, (int) Math.max(0, Math.min(levels, z)), levels);
    }
}
