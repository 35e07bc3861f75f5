package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A DJL block that runs an IR {@link Network}: one child block per layer with weights, the other
 * layers as NDArray operations, evaluated in the network's topological order.
 */
public final class NetworkBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Network network;
    private final Block[] blocks;
    /** How many input edges read each layer's output. */
    private final int[] consumers;
    /** Zero layers read only by sums with another input ({@link Network#zerosReadOnlyBySums}): not computed. */
    private final boolean[] skippedZeros;
    /** Per sum layer that reads a skipped zero, its other inputs (null for every other layer). */
    private final List<List<Integer>> liveSumInputs = new ArrayList<>();
    private boolean channelsLast = true;
    /** Rewrites the MAC layers' inputs and weights (fake quantisation), or null. */
    private MacHook hook;
    private Map<Parameter, Layer> hookedWeights = Map.of();

    NetworkBlock(Network network) {
        super(VERSION);
        this.network = network;
        this.blocks = new Block[network.layers().size()];
        this.consumers = network.consumers();
        this.skippedZeros = network.zerosReadOnlyBySums();
        for (Layer l : network.layers()) {
            boolean readsSkipped = l.kind() == LayerKind.ADD && l.inputs().stream().anyMatch(i -> skippedZeros[i]);
            liveSumInputs.add(readsSkipped ? l.inputs().stream().filter(i -> !skippedZeros[i]).toList() : null);
        }
        for (Layer l : network.layers()) {
            Block b = childFor(l);
            if (b != null) {
                blocks[l.id()] = addChildBlock(l.name(), b);
            }
        }
    }

    public Network network() {
        return network;
    }

    /**
     * Whether forward passes run in PyTorch's channels-last memory format (the default). oneDNN's
     * convolutions read and write (N, H, W, C) directly; from the usual (N, C, H, W) layout every
     * convolution, forward and backward, first reorders its input and output. Weights and results
     * keep their shapes and values either way; only the strides of activations differ.
     */
    public boolean channelsLast() {
        return channelsLast;
    }

    /** Chooses the activations' memory format ({@link #channelsLast()}); returns this block. */
    public NetworkBlock channelsLast(boolean on) {
        this.channelsLast = on;
        return this;
    }

    /**
     * Installs {@code h} on every convolution and linear layer (null removes it): each reads {@code h.input} of its
     * input and multiplies by {@code h.weight} of its weight, forward and backward. Returns this block.
     */
    public NetworkBlock macHook(MacHook h) {
        Map<Parameter, Layer> weights = new HashMap<>();
        for (Layer l : network.layers()) {
            if (h != null && (l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR)) {
                weights.put(blocks[l.id()].getParameters().get("weight"), l);
            }
        }
        this.hook = h;
        this.hookedWeights = weights;
        return this;
    }

    /** The installed {@link MacHook}, or null. */
    public MacHook macHook() {
        return hook;
    }

    private ParameterStore hooked(ParameterStore store) {
        return hook == null ? store : new HookedStore(store, hookedWeights, hook);
    }

    /** The DJL block of a layer with weights (conv, batch norm, linear, squeeze-excite), or null. */
    public Block layerBlock(int layerId) {
        return blocks[layerId];
    }

    private static Block childFor(Layer l) {
        switch (l.kind()) {
            case CONV2D:
                return Conv2d.builder()
                        .setKernelShape(new Shape(l.kernel(), l.kernel()))
                        .optStride(new Shape(l.stride(), l.stride()))
                        .optPadding(new Shape(l.padding(), l.padding()))
                        .optGroups(l.groups())
                        .setFilters(l.output().channels())
                        .optBias(l.bias())
                        .build();
            case BATCH_NORM:
                return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
            case LINEAR:
                return Linear.builder().setUnits(l.output().channels()).optBias(l.bias()).build();
            case SQUEEZE_EXCITE:
                return new SqueezeExciteBlock(l.input().channels(), l.hidden());
            default:
                return null;
        }
    }

    /**
     * Runs the network and returns its output. Each intermediate array is closed as soon as its
     * last consumer has run, as Python frees a tensor when its last reference goes: libtorch can
     * then reuse the memory while it is still in cache instead of touching fresh pages for every
     * layer (what autograd saved for the backward pass stays alive inside libtorch either way).
     * A {@code zero} layer read only by sums with another input is not computed and its sums leave
     * it out (a sum left with one input is that input): the same values and gradients (x * 0 adds
     * nothing and passes a zero gradient back) without a multiplication and an addition per batch
     * element in each direction (NAS-Bench-201's {@code none} edges).
     */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        ParameterStore store = hooked(parameterStore);
        List<Layer> layers = network.layers();
        NDArray[] values = new NDArray[layers.size()];
        values[0] = channelsLast ? MemoryFormats.toChannelsLast(input) : input;
        // remaining uses per array object: a layer that returns its input (identity) shares it
        IdentityHashMap<NDArray, Integer> pending = new IdentityHashMap<>();
        pending.merge(values[0], consumers[0], Integer::sum);
        for (int j = 1; j < layers.size(); j++) {
            Layer l = layers.get(j);
            NDArray out = null; // a skipped zero stays null; its input is released as if it had read it
            if (!skippedZeros[j]) {
                List<Integer> live = liveSumInputs.get(j);
                out = live != null ? sum(values[live.get(0)], values, live) : run(l, values, store, training, params);
                values[j] = out;
                pending.merge(out, consumers[j], Integer::sum);
            }
            for (int i : l.inputs()) {
                NDArray v = values[i];
                if (v != null && pending.merge(v, -1, Integer::sum) == 0 && v != out && v != input) {
                    v.close();
                }
            }
        }
        return new NDList(values[values.length - 1]);
    }

    /**
     * Runs the network and returns every layer's output, indexed by layer id (proxies read the
     * activations). The arrays live in the input's manager.
     */
    public NDArray[] forwardLayers(ParameterStore parameterStore, NDArray input, boolean training,
            PairList<String, Object> params) {
        ParameterStore store = hooked(parameterStore);
        List<Layer> layers = network.layers();
        NDArray[] values = new NDArray[layers.size()];
        values[0] = channelsLast ? MemoryFormats.toChannelsLast(input) : input;
        for (int i = 1; i < layers.size(); i++) {
            values[i] = run(layers.get(i), values, store, training, params);
        }
        return values;
    }

    private NDArray run(Layer l, NDArray[] values, ParameterStore store, boolean training,
            PairList<String, Object> params) {
        NDArray x = values[l.inputs().get(0)];
        if (hook == null || (l.kind() != LayerKind.CONV2D && l.kind() != LayerKind.LINEAR)) {
            return compute(l, x, values, store, training, params);
        }
        NDArray in = hook.input(l, x, training);
        NDArray out = compute(l, in, values, store, training, params);
        if (in != x && in != out) {
            in.close();
        }
        return out;
    }

    NDArray compute(Layer l, NDArray x, NDArray[] values, ParameterStore store, boolean training,
            PairList<String, Object> params) {
        switch (l.kind()) {
            case CONV2D:
                return convolve(l, x, store, training, params);
            case BATCH_NORM:
            case SQUEEZE_EXCITE:
                return blocks[l.id()].forward(store, new NDList(x), training, params).singletonOrThrow();
            case LINEAR: {
                long batch = x.getShape().get(0);
                NDArray y = blocks[l.id()].forward(store, new NDList(x.reshape(batch, -1)), training, params)
                        .singletonOrThrow();
                return l.id() == network.layers().size() - 1 ? y : y.reshape(batch, -1, 1, 1);
            }
            case RELU:
            case RELU6:
            case HSWISH:
            case SIGMOID:
                return NetworkBlock.activation(l.kind(), x);
            case ADD:
                return NetworkBlock.sum(x, values, l.inputs());
            case CONCAT: {
                NDList parts = new NDList();
                for (int in : l.inputs()) {
                    parts.add(values[in]);
                }
                return NDArrays.concat(parts, 1);
            }
            case AVG_POOL:
                return avgPoolExcludingPadding(x, l);
            case MAX_POOL:
                return Pool.maxPool2d(x, new Shape(l.kernel(), l.kernel()), new Shape(l.stride(), l.stride()),
                        new Shape(l.padding(), l.padding()), false);
            case GLOBAL_AVG_POOL:
                return globalAvgPool(x);
            case CHANNEL_SHUFFLE: {
                Shape s = x.getShape();
                long g = l.groups();
                return x.reshape(s.get(0), g, s.get(1) / g, s.get(2), s.get(3)).transpose(0, 2, 1, 3, 4)
                        .reshape(s);
            }
            case IDENTITY:
                return x;
            case ZERO:
                return Scalars.mul(x, 0);
            default:
                throw new IllegalStateException("layer kind " + l.kind() + " cannot run");
        }
    }

    /**
     * A convolution layer. In channels-last mode, a convolution whose channels-last result this
     * machine's libtorch gets wrong ({@link ConvLayoutCheck}) runs on a contiguous copy of its input,
     * and its output is laid out channels-last again for the layers after it. A depthwise convolution on an image
     * no larger than its kernel runs as {@link TinyDepthwise} where autograd records (a backward pass follows); a
     * kernel whose border rows never meet the image runs cropped ({@link KernelCrop}).
     */
    private NDArray convolve(Layer l, NDArray x, ParameterStore store, boolean training,
            PairList<String, Object> params) {
        Block conv = blocks[l.id()];
        KernelCrop.Rewrite rewrite = KernelCrop.rewrite(l);
        if (rewrite != null) {
            NDArray w = store.getValue(conv.getParameters().get("weight"), x.getDevice(), training);
            NDArray b = l.bias() ? store.getValue(conv.getParameters().get("bias"), x.getDevice(), training) : null;
            return rewrite.convolve(x, w, b, channelsLast);
        }
        UnaryOperator<NDArray> op = in -> conv.forward(store, new NDList(in), training, params).singletonOrThrow();
        if (!channelsLast) {
            return op.apply(x);
        }
        return MemoryFormats.convolveIn(l, x, !ConvLayoutCheck.channelsLastAgrees(l, x), op);
    }

    /**
     * For code that runs IR layers with weights of its own (a supernet's subnets): {@code op}, a convolution of
     * {@code conv}, applied to {@code x} in channels-last where {@link ConvLayoutCheck} finds this machine's libtorch
     * right for the shape, else on a contiguous copy; the output is channels-last, as in a channels-last block.
     */
    public static NDArray convolveChannelsLast(Layer conv, NDArray x, UnaryOperator<NDArray> op) {
        return MemoryFormats.convolveIn(conv, x, !ConvLayoutCheck.channelsLastAgrees(conv, x), op);
    }

    /** {@code x} in channels-last strides (a view where its layout allows, one-channel inputs included). */
    public static NDArray channelsLast(NDArray x) {
        return MemoryFormats.toChannelsLast(x);
    }

    /**
     * Average pooling whose divisor counts only the window's pixels inside the image (PyTorch's
     * {@code count_include_pad=False}, as NAS-Bench-201 pools). DJL 0.36's PyTorch engine ignores
     * that flag and always divides by the full window, so the sum is recovered from the padded
     * average and divided by the share of each window that lies inside the image.
     */
    static NDArray avgPoolExcludingPadding(NDArray x, Layer l) {
        Shape k = new Shape(l.kernel(), l.kernel());
        Shape s = new Shape(l.stride(), l.stride());
        Shape p = new Shape(l.padding(), l.padding());
        NDArray padded = Pool.avgPool2d(x, k, s, p, false, true);
        if (l.padding() == 0) {
            return padded;
        }
        Shape in = x.getShape();
        NDArray inside = Pool.avgPool2d(x.getManager().ones(new Shape(1, 1, in.get(2), in.get(3)), x.getDataType()),
                k, s, p, false, true);
        return padded.div(inside);
    }

    /** Global average pool keeping the (N, C, 1, 1) layout. */
    static NDArray globalAvgPool(NDArray x) {
        Shape s = x.getShape();
        return Pool.globalAvgPool2d(x).reshape(s.get(0), s.get(1), 1, 1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        Layer out = network.output();
        io.hwnas.core.ir.Shape s = out.output();
        return new Shape[] {out.kind() == LayerKind.LINEAR ? new Shape(batch, s.channels())
                : new Shape(batch, s.channels(), s.height(), s.width())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        for (Layer l : network.layers()) {
            Block b = blocks[l.id()];
            if (b == null) {
                continue;
            }
            io.hwnas.core.ir.Shape in = l.input();
            Shape shape = l.kind() == LayerKind.LINEAR ? new Shape(batch, in.elements())
                    : new Shape(batch, in.channels(), in.height(), in.width());
            b.initialize(manager, dataType, shape);
        }
    }

    /** Trainable parameters (batch-norm running statistics excluded), as the IR counts them. */
    public long trainableParameters() {
        long n = 0;
        for (Parameter p : trainable()) {
            n += p.getArray().size();
        }
        return n;
    }

    /** The trainable parameters in a stable order. */
    public List<Parameter> trainable() {
        List<Parameter> out = new ArrayList<>();
        for (var pair : getParameters()) {
            Parameter.Type t = pair.getValue().getType();
            if (t != Parameter.Type.RUNNING_MEAN && t != Parameter.Type.RUNNING_VAR) {
                out.add(pair.getValue());
            }
        }
        return out;
    }

    /** The element-wise activation {@code kind} (RELU, RELU6, HSWISH or SIGMOID) of {@code x}. */
    public static NDArray activation(LayerKind kind, NDArray x) {
        switch (kind) {
            case RELU:
                return Activation.relu(x);
            case RELU6:
                return Scalars.relu6(x);
            case HSWISH:
                return Scalars.hardSwish(x);
            case SIGMOID:
                return Activation.sigmoid(x);
            default:
                throw new IllegalArgumentException(kind + " is not an element-wise activation");
        }
    }

    /**
     * {@code first} (the value of {@code inputs}' first layer) plus the values of the other inputs: a new array
     * from the first addition on, the others added into it in place (an addition's backward needs no operand, and
     * no partial sum is left behind).
     */
    public static NDArray sum(NDArray first, NDArray[] values, java.util.List<Integer> inputs) {
        if (inputs.size() == 1) {
            return first;
        }
        NDArray sum = first.add(values[inputs.get(1)]);
        for (int k = 2; k < inputs.size(); k++) {
            sum.addi(values[inputs.get(k)]);
        }
        return sum;
    }
}
