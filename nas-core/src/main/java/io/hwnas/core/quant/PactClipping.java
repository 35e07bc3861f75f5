package io.hwnas.core.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PACT (Choi et al., "PACT: Parameterized Clipping Activation for Quantized Neural Networks", 2018): every
 * ReLU-bounded MAC-layer input (one whose calibrated range starts at 0) is clipped at a learned level
 * {@code alpha}, {@code y = clip(x, 0, alpha)}, and quantised uniformly on {@code [0, alpha]} at the layer's bits,
 * rounding straight through. The gradients are PACT's: {@code dy_q/dx = 1} for {@code 0 <= x < alpha} (0
 * elsewhere) and {@code dy_q/dalpha = 1} for {@code x >= alpha} (0 elsewhere); {@code alpha} starts at the
 * calibrated upper end and moves by plain SGD at the fine-tuning rate with an L2 penalty {@code decay * alpha}
 * (PACT's regulariser), kept at least {@link #MIN_ALPHA}. Inputs that can be negative keep their calibrated range.
 */
final class PactClipping implements RangeLearner {

    /** The smallest clipping level a step may leave. */
    static final double MIN_ALPHA = 1e-3;

    private final Map<String, NDArray> alpha = new LinkedHashMap<>();
    private final Map<String, ActivationRange> fixed = new LinkedHashMap<>();
    /** The levels a forward used since the last step (only they have gradients). */
    private final java.util.Set<String> used = new java.util.HashSet<>();
    private final double decay;
    private final boolean clippedSte;

    PactClipping(Map<String, ActivationRange> start, NDManager manager, double decay, boolean clippedSte) {
        this.decay = decay;
        this.clippedSte = clippedSte;
        for (Map.Entry<String, ActivationRange> e : start.entrySet()) {
            ActivationRange r = e.getValue();
            if (r.lo() == 0 && r.hi() > 0) {
                NDArray a = manager.create(new float[] {(float) r.hi()});
                a.setRequiresGradient(true);
                alpha.put(e.getKey(), a);
            } else {
                fixed.put(e.getKey(), r);
            }
        }
    }

    @Override
    public NDArray quantise(String name, NDArray x, int bits) {
        NDArray a = alpha.get(name);
        if (a != null) {
            used.add(name);
            return clip(x, a, bits);
        }
        ActivationRange r = fixed.get(name);
        if (r == null) {
            throw new IllegalStateException("no activation range for layer " + name + " (calibrate first)");
        }
        NDArray q = FakeQuant.activations(x, r, bits);
        ActivationRange.Grid g = r.grid(bits);
        return clippedSte ? FakeQuant.clippedSte(x, q, g.min(), g.max()) : FakeQuant.ste(x, q);
    }

    /** PACT's clipped, quantised {@code x} at {@code bits}, differentiable in {@code x} and in {@code alpha} (shape 1). */
    static NDArray clip(NDArray x, NDArray alpha, int bits) {
        int levels = (1 << bits) - 1;
        NDArray y = x.maximum(0f).minimum(alpha);
        NDArray scale = x.getManager().create(alpha.getFloat()).div(levels);
        NDArray q = y.div(scale).round().mul(scale);
        return y.add(q.sub(y).stopGradient());
    }

    @Override
    public Map<String, ActivationRange> step(double lr, NDManager step) {
        Map<String, ActivationRange> out = new LinkedHashMap<>(fixed);
        for (Map.Entry<String, NDArray> e : alpha.entrySet()) {
            NDArray a = e.getValue();
            double v = a.getFloat();
            if (!used.contains(e.getKey())) {
                out.put(e.getKey(), new ActivationRange(0, v));
                continue;
            }
            double next = Math.max(MIN_ALPHA, v - lr * (LearnedRanges.gradient(a, step) + decay * v));
            a.set(new float[] {(float) next});
            out.put(e.getKey(), new ActivationRange(0, a.getFloat()));
        }
        used.clear();
        return out;
    }

    /** The current clipping levels by layer name. */
    Map<String, Double> levels() {
        Map<String, Double> out = new LinkedHashMap<>();
        alpha.forEach((k, v) -> out.put(k, (double) v.getFloat()));
        return out;
    }
}
