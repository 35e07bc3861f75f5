package io.hwnas.experiments.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets every batch norm's running statistics to the exact per-channel mean and (biased) variance of
 * its input on a batch, as batch-norm calibration does: one training-mode pass (each batch norm
 * normalises with its batch statistics), whose layer inputs then give the statistics. Afterwards the
 * inference-mode network computes on that batch what the training-mode one did, with outputs of
 * unit scale instead of the blow-up of untrained running statistics (mean 0, variance 1). Variances are
 * floored at {@link #VARIANCE_FLOOR} of the layer's mean variance.
 */
public final class BatchNormStatistics {

    /** The smallest running variance set, as a fraction of the layer's mean channel variance. */
    public static final float VARIANCE_FLOOR = 0.05f;

    private BatchNormStatistics() {
    }

    /** Calibrates the block's batch norms on the flattened batch {@code x} of shape {@code shape}. */
    public static void calibrate(NetworkBlock block, float[] x, long[] shape) {
        List<Layer> weighted = new ArrayList<>();
        for (Layer l : block.network().layers()) {
            if (l.kind().hasWeights()) {
                weighted.add(l);
            }
        }
        PairList<String, Block> children = block.getChildren();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray in = m.create(x, new Shape(shape));
            NDArray[] values = block.forwardLayers(new ParameterStore(m, false), in, true, null);
            for (int i = 0; i < weighted.size(); i++) {
                Layer l = weighted.get(i);
                if (l.kind() != LayerKind.BATCH_NORM) {
                    continue;
                }
                NDArray v = values[l.inputs().get(0)];
                long c = v.getShape().get(1);
                NDArray perChannel = v.transpose(1, 0, 2, 3).reshape(c, -1); // (C, N*H*W)
                NDArray mean = perChannel.mean(new int[] {1}, true);
                NDArray var = perChannel.sub(mean).square().mean(new int[] {1});
                // a channel nearly dead on the batch (a random network's depthwise convolution after ReLU6)
                // would be scaled up by up to 1/sqrt(eps) on other inputs; trained networks do not keep those
                var = var.maximum(var.mean().mul(VARIANCE_FLOOR));
                for (Pair<String, Parameter> p : children.get(i).getValue().getDirectParameters()) {
                    NDArray a = p.getValue().getArray();
                    switch (p.getValue().getType()) {
                        case RUNNING_MEAN -> a.set(mean.toFloatArray());
                        case RUNNING_VAR -> a.set(var.toFloatArray());
                        default -> {
                        }
                    }
                }
            }
        }
    }
}
