package io.hwnas.core.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Network} layer by layer, inferring shapes, parameters and MACs. Each method
 * returns the id of the layer it added, to be passed as the input of later layers.
 */
public final class NetworkBuilder {

    private final List<Layer> layers = new ArrayList<>();
    private final int bits;

    public NetworkBuilder(Shape input) {
        this(input, 32);
    }

    public NetworkBuilder(Shape input, int bits) {
        this.bits = bits;
        layers.add(new Layer(0, "input", LayerKind.INPUT, List.of(), List.of(), input, 0, 0, 0, 0, 0, false, bits, 0,
                0));
    }

    /** The input layer's id. */
    public int input() {
        return 0;
    }

    public Shape shape(int id) {
        return layers.get(id).output();
    }

    /** A 2-D convolution with square kernel, symmetric padding, optional groups and bias. */
    public int conv(String name, int in, int outChannels, int kernel, int stride, int padding, int groups,
            boolean bias) {
        Shape x = shape(in);
        if (groups <= 0 || x.channels() % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("layer " + name + ": groups " + groups + " must divide input channels "
                    + x.channels() + " and output channels " + outChannels);
        }
        int h = outSize(name, x.height(), kernel, stride, padding);
        int w = outSize(name, x.width(), kernel, stride, padding);
        Shape out = new Shape(outChannels, h, w);
        long perOutput = (long) (x.channels() / groups) * kernel * kernel;
        long params = outChannels * perOutput + (bias ? outChannels : 0);
        long macs = out.elements() * perOutput + (bias ? out.elements() : 0);
        return add(name, LayerKind.CONV2D, List.of(in), out, kernel, stride, padding, groups, 0, bias, params, macs);
    }

    public int batchNorm(String name, int in) {
        Shape x = shape(in);
        return add(name, LayerKind.BATCH_NORM, List.of(in), x, 0, 0, 0, 0, 0, false, 2L * x.channels(), 0);
    }

    /** An element-wise activation: one of RELU, RELU6, HSWISH, SIGMOID. */
    public int activation(String name, LayerKind kind, int in) {
        if (!kind.isActivation()) {
            throw new IllegalArgumentException(kind + " is not an activation");
        }
        return add(name, kind, List.of(in), shape(in), 0, 0, 0, 0, 0, false, 0, 0);
    }

    public int relu(String name, int in) {
        return activation(name, LayerKind.RELU, in);
    }

    /** Element-wise sum of inputs of one shape. */
    public int add(String name, List<Integer> ins) {
        if (ins.size() < 2) {
            throw new IllegalArgumentException("layer " + name + ": add needs at least two inputs");
        }
        Shape s = shape(ins.get(0));
        for (int i : ins) {
            if (!shape(i).equals(s)) {
                throw new IllegalArgumentException(
                        "layer " + name + ": add inputs must share one shape, but had " + s + " and " + shape(i));
            }
        }
        return add(name, LayerKind.ADD, ins, s, 0, 0, 0, 0, 0, false, 0, 0);
    }

    /** Concatenation along channels. */
    public int concat(String name, List<Integer> ins) {
        Shape s = shape(ins.get(0));
        int channels = 0;
        for (int i : ins) {
            Shape t = shape(i);
            if (t.height() != s.height() || t.width() != s.width()) {
                throw new IllegalArgumentException("layer " + name + ": concat inputs must share H and W, but had "
                        + s + " and " + t);
            }
            channels += t.channels();
        }
        return add(name, LayerKind.CONCAT, ins, s.withChannels(channels), 0, 0, 0, 0, 0, false, 0, 0);
    }

    /** Average pooling; NB201 excludes padding from the divisor. */
    public int avgPool(String name, int in, int kernel, int stride, int padding) {
        return pool(name, LayerKind.AVG_POOL, in, kernel, stride, padding);
    }

    public int maxPool(String name, int in, int kernel, int stride, int padding) {
        return pool(name, LayerKind.MAX_POOL, in, kernel, stride, padding);
    }

    public int globalAvgPool(String name, int in) {
        Shape x = shape(in);
        return add(name, LayerKind.GLOBAL_AVG_POOL, List.of(in), new Shape(x.channels(), 1, 1), 0, 0, 0, 0, 0, false,
                0, 0);
    }

    /** A fully connected layer on the flattened input; the output shape is {@code units x 1 x 1}. */
    public int linear(String name, int in, int units, boolean bias) {
        long features = shape(in).elements();
        long params = features * units + (bias ? units : 0);
        return add(name, LayerKind.LINEAR, List.of(in), new Shape(units, 1, 1), 0, 0, 0, 0, 0, bias, params, params);
    }

    /**
     * Squeeze-and-excite: global average pool, 1x1 conv to {@code hidden} (with bias), ReLU, 1x1 conv
     * back (with bias), sigmoid, and a channel-wise multiply with the input.
     */
    public int squeezeExcite(String name, int in, int hidden) {
        Shape x = shape(in);
        long c = x.channels();
        long params = c * hidden + hidden + hidden * c + c;
        return add(name, LayerKind.SQUEEZE_EXCITE, List.of(in), x, 0, 0, 0, 0, hidden, true, params, params);
    }

    /** Channel shuffle (ShuffleNet): reshape to groups, transpose, reshape back. */
    public int channelShuffle(String name, int in, int groups) {
        Shape x = shape(in);
        if (groups <= 1 || x.channels() % groups != 0) {
            throw new IllegalArgumentException(
                    "layer " + name + ": shuffle groups " + groups + " must be > 1 and divide " + x.channels());
        }
        return add(name, LayerKind.CHANNEL_SHUFFLE, List.of(in), x, 0, 0, 0, groups, 0, false, 0, 0);
    }

    public int identity(String name, int in) {
        return add(name, LayerKind.IDENTITY, List.of(in), shape(in), 0, 0, 0, 0, 0, false, 0, 0);
    }

    /** The NAS-Bench-201 {@code none} op as its reference runs it: an element-wise multiply by zero. */
    public int zero(String name, int in) {
        return add(name, LayerKind.ZERO, List.of(in), shape(in), 0, 0, 0, 0, 0, false, 0, 0);
    }

    /** The network ending at the last layer added. */
    public Network build() {
        return new Network(layers, params());
    }

    /** The network ending at the last layer added, with a declared parameter count of its space. */
    public Network build(long declaredParams) {
        return new Network(layers, declaredParams);
    }

    private long params() {
        long sum = 0;
        for (Layer l : layers) {
            sum += l.params();
        }
        return sum;
    }

    private int pool(String name, LayerKind kind, int in, int kernel, int stride, int padding) {
        Shape x = shape(in);
        int h = outSize(name, x.height(), kernel, stride, padding);
        int w = outSize(name, x.width(), kernel, stride, padding);
        return add(name, kind, List.of(in), new Shape(x.channels(), h, w),
                kernel, stride, padding, 0, 0, false, 0, 0);
    }

    private static int outSize(String name, int size, int kernel, int stride, int padding) {
        int out = (size + 2 * padding - kernel) / stride + 1;
        if (kernel <= 0 || stride <= 0 || padding < 0 || out <= 0) {
            throw new IllegalArgumentException("layer " + name + ": kernel " + kernel + ", stride " + stride
                    + ", padding " + padding + " do not fit an input of size " + size);
        }
        return out;
    }

    private int add(String name, LayerKind kind, List<Integer> ins, Shape out, int kernel, int stride, int padding,
            int groups, int hidden, boolean bias, long params, long macs) {
        List<Shape> inShapes = new ArrayList<>(ins.size());
        for (int i : ins) {
            inShapes.add(shape(i));
        }
        int id = layers.size();
        layers.add(new Layer(id, name, kind, ins, inShapes, out, kernel, stride, padding, groups, hidden, bias, bits,
                params, macs));
        return id;
    }
}
