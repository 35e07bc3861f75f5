package io.hwnas.core.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.hwnas.core.djl.KernelCrop;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Runs an IR network of the MBConv kinds with weights handed in per layer, by the same DJL operations (and
 * batch-norm momentum and epsilon) as {@code NetworkBlock}, in its channels-last layout (each convolution shape
 * first checked against the contiguous path on this machine, {@code ConvLayoutCheck}: libtorch gets some float32
 * channels-last convolutions wrong on some CPUs, and such a shape runs contiguous) or in the contiguous layout.
 */
final class SubnetForward {

    private SubnetForward() {
    }

    /** The network's output for {@code x}; every array it makes lives in {@code x}'s manager. */
    static NDArray run(Network network, Function<Layer, Map<String, NDArray>> weights, NDArray x, boolean training,
            boolean channelsLast) {
        List<Layer> layers = network.layers();
        int[] consumers = network.consumers();
        NDArray[] values = new NDArray[layers.size()];
        values[0] = channelsLast ? NetworkBlock.channelsLast(x) : x;
        for (int j = 1; j < layers.size(); j++) {
            Layer l = layers.get(j);
            Map<String, NDArray> w = l.kind().hasWeights() ? weights.apply(l) : Map.of();
            values[j] = layer(l, values, w, training, j == layers.size() - 1, channelsLast);
            for (int i : l.inputs()) {
                if (--consumers[i] == 0 && i > 0 && values[i] != values[j]) {
                    values[i].close();
                }
            }
        }
        return values[layers.size() - 1];
    }

    private static NDArray layer(Layer l, NDArray[] values, Map<String, NDArray> w, boolean training, boolean last,
            boolean channelsLast) {
        NDArray x = values[l.inputs().get(0)];
        switch (l.kind()) {
            case CONV2D: {
                KernelCrop.Rewrite rewrite = KernelCrop.rewrite(l);
                if (rewrite != null) {
                    return rewrite.convolve(x, w.get("weight"), w.get("bias"), channelsLast);
                }
                UnaryOperator<NDArray> conv = in -> Conv2d.conv2d(in, w.get("weight"), w.get("bias"),
                        new Shape(l.stride(), l.stride()), new Shape(l.padding(), l.padding()), new Shape(1, 1),
                        l.groups()).singletonOrThrow();
                return channelsLast ? NetworkBlock.convolveChannelsLast(l, x, conv) : conv.apply(x);
            }
            case BATCH_NORM:
                return BatchNorm.batchNorm(x, w.get("runningMean"), w.get("runningVar"), w.get("gamma"),
                        w.get("beta"), 1, 0.9f, 1e-5f, training).singletonOrThrow();
            case LINEAR: {
                long batch = x.getShape().get(0);
                NDArray y = Linear.linear(x.reshape(batch, -1), w.get("weight"), w.get("bias")).singletonOrThrow();
                return last ? y : y.reshape(batch, -1, 1, 1);
            }
            case SQUEEZE_EXCITE:
                return squeezeExcite(x, w);
            case RELU:
            case RELU6:
            case HSWISH:
            case SIGMOID:
                return NetworkBlock.activation(l.kind(), x);
            case ADD:
                return NetworkBlock.sum(x, values, l.inputs());
            case GLOBAL_AVG_POOL:
                return globalAvgPool(x);
            case IDENTITY:
                return x;
            default:
                throw new IllegalStateException("a supernet subnet has no " + l.kind().id() + " layer (" + l.name() + ")");
        }
    }

    /** Squeeze-and-excite as {@code SqueezeExciteBlock} computes it. */
    private static NDArray squeezeExcite(NDArray x, Map<String, NDArray> w) {
        NDArray s = globalAvgPool(x);
        s = Conv2d.conv2d(s, w.get("reduce_weight"), w.get("reduce_bias")).singletonOrThrow();
        s = Activation.relu(s);
        s = Conv2d.conv2d(s, w.get("expand_weight"), w.get("expand_bias")).singletonOrThrow();
        return x.mul(Activation.sigmoid(s));
    }

    private static NDArray globalAvgPool(NDArray x) {
        Shape s = x.getShape();
        return Pool.globalAvgPool2d(x).reshape(s.get(0), s.get(1), 1, 1);
    }
}
