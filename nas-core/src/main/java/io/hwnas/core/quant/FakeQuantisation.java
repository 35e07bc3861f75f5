package io.hwnas.core.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.hwnas.core.djl.FrozenInference;
import io.hwnas.core.djl.MacHook;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fake quantisation of a {@link NetworkBlock} of a compressed network ({@code io.hwnas.core.ir.Compression}): each
 * convolution and linear layer multiplies by its weights quantised at the layer's weight bits ({@link FakeQuant})
 * and reads its input quantised at its activation bits in the layer's {@link ActivationRange}. In training mode both
 * pass gradients straight through (the activations' clipped to the range, or not); in inference mode a convolution
 * followed by batch norm quantises the folded weights {@code W * gamma / sqrt(var + eps)}, as the export does, and
 * hands the batch norm {@code q(W_folded) * sqrt(var + eps) / gamma}, which it turns back into the folded
 * convolution (equal up to float32 rounding). While {@link #observe observing}, inputs are not quantised but their
 * minimum and maximum widen each layer's range (calibration).
 */
public final class FakeQuantisation implements MacHook {

    /** Batch norm's epsilon in {@link NetworkBlock}. */
    private static final float EPS = 1e-5f;

    private final NetworkBlock block;
    private final Map<Integer, Integer> foldInto = new HashMap<>();
    private final Map<String, ActivationRange> ranges = new LinkedHashMap<>();
    private final boolean clippedSte;
    private boolean observing;
    /** The calibration percentile (100: min/max over every batch) and the per-layer means of the batches' ranges. */
    private double percentile = 100;
    private final Map<String, PercentileRange> percentiles = new HashMap<>();
    private double ema;
    /** Ranges being learned (fine-tuning with learned ranges or PACT clipping levels), or null. */
    private RangeLearner learned;
    /** The manager of the input of the MAC layer being computed: arrays derived from its weight live there. */
    private NDManager scope;

    private FakeQuantisation(NetworkBlock block, boolean clippedSte) {
        this.block = block;
        this.clippedSte = clippedSte;
        foldInto.putAll(FrozenInference.foldableBatchNorms(block.network()));
    }

    /**
     * Installs fake quantisation on {@code block} (whose network carries the bits) and returns it; the ranges start
     * empty ({@link #observe} then {@link #setRanges}).
     *
     * @param clippedSte whether activation gradients are zero outside the range
     */
    public static FakeQuantisation install(NetworkBlock block, boolean clippedSte) {
        FakeQuantisation q = new FakeQuantisation(block, clippedSte);
        block.macHook(q);
        return q;
    }

    /** Removes the quantisation from the block: it runs in float again. */
    public void uninstall() {
        block.macHook(null);
    }

    /** Observing: forwards pass inputs through unquantised and widen each layer's range by what they see. */
    public FakeQuantisation observe(boolean on) {
        this.observing = on;
        return this;
    }

    /**
     * Calibrates at percentile {@code p} while observing: each layer's range is the mean over the observed batches of
     * the batch's {@link PercentileRange} (100, the default: the minimum and maximum over every batch).
     */
    public FakeQuantisation percentile(double p) {
        PercentileRange.check(p, "percentile");
        this.percentile = p;
        percentiles.clear();
        return this;
    }

    /** Training forwards move each range towards the batch's minimum and maximum with momentum {@code m} (0: fixed). */
    public FakeQuantisation ema(double m) {
        this.ema = m;
        return this;
    }

    /** Starts learning the ranges (training forwards quantise differentiably in them); arrays in {@code manager}. */
    void learn(ai.djl.ndarray.NDManager manager) {
        learned = new LearnedRanges(ranges, manager);
    }

    /**
     * Starts learning PACT clipping levels for the ReLU-bounded inputs (calibrated ranges starting at 0), with L2
     * penalty {@code decay} on each level; arrays in {@code manager}.
     */
    void learnPact(ai.djl.ndarray.NDManager manager, double decay) {
        learned = new PactClipping(ranges, manager, decay, clippedSte);
    }

    /** One SGD step of rate {@code lr} on the learned ranges, which then become the ranges. */
    void stepLearned(double lr, ai.djl.ndarray.NDManager step) {
        ranges.putAll(learned.step(lr, step));
    }

    /** Stops learning the ranges; the last learned ones stay. */
    void stopLearning() {
        learned = null;
    }

    /** The ranges by MAC layer name, in layer order. */
    public Map<String, ActivationRange> ranges() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
    }

    /** Sets the ranges (by MAC layer name). */
    public void setRanges(Map<String, ActivationRange> r) {
        ranges.clear();
        ranges.putAll(r);
    }

    @Override
    public NDArray input(Layer layer, NDArray x, boolean training) {
        scope = x.getManager();
        if (observing && percentile < 100) {
            ranges.put(layer.name(), percentiles.computeIfAbsent(layer.name(), k -> new PercentileRange())
                    .add(x.toFloatArray(), percentile));
            return x;
        }
        if (observing) {
            ActivationRange r = ranges.get(layer.name());
            double min = x.min().getFloat();
            double max = x.max().getFloat();
            ranges.put(layer.name(), r == null ? new ActivationRange(min, max) : r.widen(min, max));
            return x;
        }
        int bits = layer.activationBits();
        if (bits >= 16) {
            return x;
        }
        ActivationRange r = ranges.get(layer.name());
        if (r == null) {
            throw new IllegalStateException("no activation range for layer " + layer.name() + " (calibrate first)");
        }
        if (training && learned != null) {
            return learned.quantise(layer.name(), x, bits);
        }
        if (training && ema > 0) {
            r = r.ema(x.min().getFloat(), x.max().getFloat(), ema);
            ranges.put(layer.name(), r);
        }
        NDArray q = FakeQuant.activations(x, r, bits);
        if (!training) {
            return q;
        }
        ActivationRange.Grid g = r.grid(bits);
        return clippedSte ? FakeQuant.clippedSte(x, q, g.min(), g.max()) : FakeQuant.ste(x, q);
    }

    @Override
    public NDArray weight(Layer layer, NDArray w, boolean training) {
        int bits = layer.bits();
        if (bits >= 32) {
            return w;
        }
        // Every array derived from the weight is computed from a detached copy in the input's manager (an operation's
        // result joins its first operand's manager): computed from the parameter itself, they would join the
        // parameters' manager and pile up there, every step, until the network is closed.
        NDArray d = local(w);
        if (training) {
            // the straight-through estimator: the value of the quantised weight, the gradient of w (identity)
            return FakeQuant.weights(d, bits).sub(d).add(w);
        }
        Integer bn = foldInto.get(layer.id());
        if (bn == null) {
            return FakeQuant.weights(d, bits);
        }
        NDArray s = foldScale(block.layerBlock(bn), w.getShape().dimension(), this::local);
        return FakeQuant.weights(d.mul(s), bits).div(s);
    }

    /** {@code a} detached, in the current layer input's manager (where none was seen yet: {@code a}'s own). */
    private NDArray local(NDArray a) {
        NDArray d = a.stopGradient();
        if (scope != null) {
            d.attach(scope);
        }
        return d;
    }

    /** gamma / sqrt(running var + eps) per channel, shaped to broadcast over a weight (1 where gamma is 0). */
    private static NDArray foldScale(Block bn, int dims, java.util.function.UnaryOperator<NDArray> local) {
        NDArray gamma = null;
        NDArray var = null;
        for (var p : bn.getParameters()) {
            Parameter v = p.getValue();
            if (p.getKey().endsWith("gamma")) {
                gamma = local.apply(v.getArray());
            } else if (p.getKey().endsWith("runningVar")) {
                var = local.apply(v.getArray());
            }
        }
        if (gamma == null || var == null) {
            throw new IllegalStateException("a batch norm without gamma or running variance");
        }
        NDArray s = gamma.div(var.add(EPS).sqrt());
        s = s.add(s.eq(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
        long[] shape = new long[dims];
        java.util.Arrays.fill(shape, 1);
        shape[0] = s.getShape().get(0);
        return s.reshape(new ai.djl.ndarray.types.Shape(shape));
    }
}
