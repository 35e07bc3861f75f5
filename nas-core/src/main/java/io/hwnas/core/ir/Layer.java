package io.hwnas.core.ir;

import java.util.List;
import java.util.Objects;

/**
 * One node of the network DAG with its inferred shapes and its costs.
 *
 * <p>Attributes that a kind does not use are 0 (or false). For {@code CONV2D}, {@code AVG_POOL} and
 * {@code MAX_POOL}: kernel, stride, padding (symmetric), and for convolutions groups and bias. For
 * {@code SQUEEZE_EXCITE}: {@code hidden} is the reduced channel count. For {@code CHANNEL_SHUFFLE}:
 * {@code groups}. For {@code LINEAR}: bias. MACs count multiply-accumulates of convolutions and
 * linear layers (bias additions included, the NAS-Bench-201 convention); other layers have 0 MACs
 * and are costed by their element counts.
 *
 * @param id          position in the network's topological order
 * @param name        hierarchical name, e.g. {@code stage1.cell0.edge(0-1).conv}
 * @param kind        the layer type
 * @param inputs      ids of the layers whose outputs this layer reads
 * @param inputShapes shapes of those inputs, in the same order
 * @param output      shape of this layer's output
 * @param kernel      kernel size (square)
 * @param stride      stride
 * @param padding     padding on each side
 * @param groups      convolution groups, or shuffle groups
 * @param hidden      squeeze-excite hidden channels
 * @param bias        whether the conv or linear layer has a bias
 * @param bits        bit width of the weights (32 for fp32)
 * @param params      trainable parameters
 * @param macs        multiply-accumulates for one sample
 * @param activationBits bit width of the activations this layer reads and writes (32 for fp32)
 */
public record Layer(
        int id,
        String name,
        LayerKind kind,
        List<Integer> inputs,
        List<Shape> inputShapes,
        Shape output,
        int kernel,
        int stride,
        int padding,
        int groups,
        int hidden,
        boolean bias,
        int bits,
        long params,
        long macs,
        int activationBits) {

    /** A layer whose weights and activations share one bit width. */
    public Layer(int id, String name, LayerKind kind, List<Integer> inputs, List<Shape> inputShapes, Shape output,
            int kernel, int stride, int padding, int groups, int hidden, boolean bias, int bits, long params,
            long macs) {
        this(id, name, kind, inputs, inputShapes, output, kernel, stride, padding, groups, hidden, bias, bits, params,
                macs, bits);
    }

    public Layer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(output, "output");
        inputs = List.copyOf(inputs);
        inputShapes = List.copyOf(inputShapes);
        if (inputs.size() != inputShapes.size()) {
            throw new IllegalArgumentException(
                    "layer " + name + ": " + inputs.size() + " inputs but " + inputShapes.size() + " input shapes");
        }
        if (bits <= 0 || bits > 32) {
            throw new IllegalArgumentException("layer " + name + ": bits must be in 1..32, but was " + bits);
        }
        if (activationBits <= 0 || activationBits > 32) {
            throw new IllegalArgumentException(
                    "layer " + name + ": activation bits must be in 1..32, but was " + activationBits);
        }
    }

    /** The shape of the first input (the input of a single-input layer); the output for {@code INPUT}. */
    public Shape input() {
        return inputShapes.isEmpty() ? output : inputShapes.get(0);
    }

    /** Bytes of the weights at this layer's bit width. */
    public long weightBytes() {
        return (params * bits + 7) / 8;
    }

    /** Bytes read from activations for one sample (all inputs). */
    public long inputBytes() {
        long elements = 0;
        for (Shape s : inputShapes) {
            elements += s.elements();
        }
        return (elements * activationBits + 7) / 8;
    }

    /** Bytes written for one sample. */
    public long outputBytes() {
        return (output.elements() * activationBits + 7) / 8;
    }

    /** Bit operations for one sample: MACs x weight bits x activation bits. */
    public long bitOps() {
        return macs * bits * activationBits;
    }

    /** True for a depthwise convolution (one group per input channel). */
    public boolean isDepthwise() {
        return kind == LayerKind.CONV2D && groups > 1 && groups == input().channels() && groups == output.channels();
    }

    /** True for a 1x1 convolution without grouping tricks beyond plain groups. */
    public boolean isPointwise() {
        return kind == LayerKind.CONV2D && kernel == 1;
    }

    /** A copy at another bit width for weights and activations (for quantised targets). */
    public Layer withBits(int newBits) {
        return withBits(newBits, newBits);
    }

    /** A copy with weights at {@code weight} bits and activations at {@code activation} bits. */
    public Layer withBits(int weight, int activation) {
        return new Layer(id, name, kind, inputs, inputShapes, output, kernel, stride, padding, groups, hidden, bias,
                weight, params, macs, activation);
    }
}
