package io.hwnas.experiments.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.experiments.export.mixed.MixedQdqRewriter;
import io.hwnas.experiments.export.mixed.Precision;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;

/**
 * A simulated-quantisation forward in DJL, the reference a mixed-precision QDQ export is checked against: the IR
 * network run layer by layer (inference mode) with every MAC layer's folded weights replaced by the convention's
 * dequantised weights ({@link Precision#weights}) and its input quantised and dequantised at its activation bits
 * over its range ({@link Precision#activation}); batch norms folded into their convolutions by the float export are
 * skipped, the rest run as the DJL network runs them.
 */
final class QuantizedReference {

    private final NetworkBlock block;
    private final Map<String, TensorProto> init = new HashMap<>();
    private final Map<String, MixedQdqRewriter.LayerPlan> plan = new HashMap<>();

    /**
     * @param block      the float network (its batch norms and squeeze-excite blocks run as they are)
     * @param floatModel its folded float ONNX model (the folded weights and biases are read from it)
     * @param layers     the quantisation of each MAC layer
     */
    QuantizedReference(NetworkBlock block, ModelProto floatModel, List<MixedQdqRewriter.LayerPlan> layers) {
        this.block = block;
        floatModel.getGraph().getInitializerList().forEach(t -> init.put(t.getName(), t));
        layers.forEach(p -> plan.put(p.layer(), p));
    }

    /** The logits of a flattened input batch of {@code shape}. */
    float[] run(float[] x, long[] shape) {
        Network net = block.network();
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore store = new ParameterStore(m, false);
            NDArray[] values = new NDArray[net.layers().size()];
            values[0] = m.create(x, new Shape(shape));
            boolean[] computed = net.computedLayers();
            for (Layer l : net.layers().subList(1, net.layers().size())) {
                if (computed[l.id()] || l.kind() == LayerKind.ZERO) { // the export leaves the others out
                    values[l.id()] = layer(l, values, store, m);
                }
            }
            return values[values.length - 1].toFloatArray();
        }
    }

    private NDArray layer(Layer l, NDArray[] values, ParameterStore store, NDManager m) {
        NDArray x = values[l.inputs().get(0)];
        int k = l.kernel();
        switch (l.kind()) {
            case CONV2D:
                return Conv2d.conv2d(input(l, x), weight(l, m), bias(l, m), new Shape(l.stride(), l.stride()),
                        new Shape(l.padding(), l.padding()), new Shape(1, 1), l.groups()).singletonOrThrow();
            case LINEAR: {
                long batch = x.getShape().get(0);
                NDArray y = Linear.linear(input(l, x.reshape(batch, -1)), weight(l, m), bias(l, m)).singletonOrThrow();
                return l.id() == block.network().layers().size() - 1 ? y : y.reshape(batch, -1, 1, 1);
            }
            case BATCH_NORM:
                return init.containsKey(l.name() + ".gamma") ? module(l, x, store) : x; // else folded
            case SQUEEZE_EXCITE:
                return module(l, x, store);
            case RELU, RELU6, HSWISH, SIGMOID:
                return NetworkBlock.activation(l.kind(), x);
            case ADD:
                return NetworkBlock.sum(x, values, l.inputs());
            case CONCAT: {
                NDList parts = new NDList();
                l.inputs().forEach(i -> parts.add(values[i]));
                return NDArrays.concat(parts, 1);
            }
            case AVG_POOL:
                return avgPool(x, l);
            case MAX_POOL:
                return Pool.maxPool2d(x, new Shape(k, k), new Shape(l.stride(), l.stride()),
                        new Shape(l.padding(), l.padding()), false);
            case GLOBAL_AVG_POOL: {
                Shape s = x.getShape();
                return Pool.globalAvgPool2d(x).reshape(s.get(0), s.get(1), 1, 1);
            }
            case CHANNEL_SHUFFLE: {
                Shape s = x.getShape();
                long g = l.groups();
                return x.reshape(s.get(0), g, s.get(1) / g, s.get(2), s.get(3)).transpose(0, 2, 1, 3, 4).reshape(s);
            }
            case IDENTITY:
                return x;
            case ZERO: {
                io.hwnas.core.ir.Shape o = l.output();
                return m.zeros(new Shape(values[0].getShape().get(0), o.channels(), o.height(), o.width()));
            }
            default:
                throw new UnsupportedArchitectureException("the quantised reference cannot run layer " + l.name()
                        + " of kind " + l.kind().id());
        }
    }

    private NDArray module(Layer l, NDArray x, ParameterStore store) {
        return block.layerBlock(l.id()).forward(store, new NDList(x), false).singletonOrThrow();
    }

    /** The layer's input quantised and dequantised at its activation bits (as it is for 16 and 32). */
    private NDArray input(Layer l, NDArray x) {
        MixedQdqRewriter.LayerPlan p = plan.get(l.name());
        if (p == null || p.activationBits() > 8) {
            return x;
        }
        Precision.Activation a = Precision.activation(p.range().lo(), p.range().hi(), p.activationBits());
        return x.div(a.scale()).round().add((float) a.zeroPoint()).clip(0, a.qmax()).sub((float) a.zeroPoint())
                .mul(a.scale());
    }

    private NDArray weight(Layer l, NDManager m) {
        TensorProto w = init.get(l.name() + ".weight");
        long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
        MixedQdqRewriter.LayerPlan p = plan.get(l.name());
        float[] v = io.hwnas.experiments.export.graph.GraphWriter.floats(w);
        float[] d = p == null ? v : Precision.weights(v, (int) dims[0], p.weightBits()).dequantized();
        return m.create(d, new Shape(dims));
    }

    private NDArray bias(Layer l, NDManager m) {
        TensorProto b = init.get(l.name() + ".bias");
        return b == null ? null : m.create(io.hwnas.experiments.export.graph.GraphWriter.floats(b), new Shape(b.getDims(0)));
    }

    /** Average pooling that divides by the window's pixels inside the image, as the DJL network pools. */
    private static NDArray avgPool(NDArray x, Layer l) {
        Shape k = new Shape(l.kernel(), l.kernel());
        Shape s = new Shape(l.stride(), l.stride());
        Shape p = new Shape(l.padding(), l.padding());
        NDArray padded = Pool.avgPool2d(x, k, s, p, false, true);
        if (l.padding() == 0 || DjlSemantics.avgPoolCountsPadding()) {
            return padded;
        }
        Shape in = x.getShape();
        NDArray inside = Pool.avgPool2d(x.getManager().ones(new Shape(1, 1, in.get(2), in.get(3)), x.getDataType()),
                k, s, p, false, true);
        return padded.div(inside);
    }
}
