package io.hwnas.core.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Activation ranges learned during fine-tuning, as LSQ learns its step size: each range's ends are scalars with
 * gradients, the fake quantisation is written so that the loss reaches them (rounding straight through, the
 * clamp's gradient zero outside the range), their gradients are scaled by {@code 1 / sqrt(elements per image * levels)}, and
 * a plain SGD step after each training step moves them (keeping {@code lo <= 0 <= hi}).
 */
final class LearnedRanges implements RangeLearner {

    private final Map<String, NDArray[]> ends = new LinkedHashMap<>();

    LearnedRanges(Map<String, ActivationRange> start, NDManager manager) {
        for (Map.Entry<String, ActivationRange> e : start.entrySet()) {
            NDArray lo = manager.create(new float[] {(float) e.getValue().lo()});
            NDArray hi = manager.create(new float[] {(float) e.getValue().hi()});
            lo.setRequiresGradient(true);
            hi.setRequiresGradient(true);
            ends.put(e.getKey(), new NDArray[] {lo, hi});
        }
    }

    /** The fake-quantised {@code x} of layer {@code name} at {@code bits}, differentiable in the range's ends. */
    @Override
    public NDArray quantise(String name, NDArray x, int bits) {
        NDArray[] e = ends.get(name);
        if (e == null) {
            throw new IllegalStateException("no activation range for layer " + name + " (calibrate first)");
        }
        int levels = (1 << bits) - 1;
        long perImage = x.getShape().size() / x.getShape().get(0);
        float g = (float) (1 / Math.sqrt((double) perImage * levels));
        NDArray lo = scaledGradient(e[0], g, x.getManager());
        NDArray hi = scaledGradient(e[1], g, x.getManager());
        NDArray scale = hi.sub(lo).div(levels);
        NDArray zero = lo.neg().div(scale).round().clip(0, levels).stopGradient();
        NDArray t = x.div(scale);
        NDArray rounded = t.add(t.round().sub(t).stopGradient());
        return rounded.add(zero).clip(0, levels).sub(zero).mul(scale);
    }

    /**
     * {@code a}'s value with its gradient multiplied by {@code g}, in {@code scope} (each result is computed with an
     * operand of {@code scope} first, so none joins the learned arrays' manager for good).
     */
    private static NDArray scaledGradient(NDArray a, float g, NDManager scope) {
        NDArray s = scope.create(g).mul(a);
        return s.add(s.neg().add(a).stopGradient());
    }

    /**
     * One SGD step of rate {@code lr} on every range's ends (their gradients then zeroed; temporary arrays in
     * {@code step}); returns the ranges now.
     */
    @Override
    public Map<String, ActivationRange> step(double lr, NDManager step) {
        Map<String, ActivationRange> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray[]> e : ends.entrySet()) {
            NDArray lo = e.getValue()[0];
            NDArray hi = e.getValue()[1];
            double l = lo.getFloat() - lr * gradient(lo, step);
            double h = hi.getFloat() - lr * gradient(hi, step);
            ActivationRange r = new ActivationRange(Math.min(l, 0), Math.max(h, 0));
            if (r.hi() - r.lo() > 1e-6) {
                lo.set(new float[] {(float) r.lo()});
                hi.set(new float[] {(float) r.hi()});
            }
            out.put(e.getKey(), new ActivationRange(lo.getFloat(), hi.getFloat()));
        }
        return out;
    }

    static double gradient(NDArray a, NDManager step) {
        NDArray g = a.getGradient();
        g.attach(step);
        double v = g.getFloat();
        g.muli(0f);
        return v;
    }
}
