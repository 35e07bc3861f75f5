package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recomputes the batch-norm running statistics of a network from calibration batches, as Once-for-All's
 * {@code set_running_statistics} does: every batch runs forward in training mode (each batch-norm layer
 * normalises by the batch's own statistics, as during supernet training) with gradients off, and each layer's
 * input is reduced to its per-channel mean and population variance. The batches' moments are merged in double
 * by Chan et al.'s pairwise update, so the result is the exact mean and population variance of the layer's input
 * over all calibration images (not a momentum average, and nothing of the old statistics survives); they then
 * replace the running mean and variance. The momentum update that DJL's training-mode batch norm makes on the way
 * is overwritten.
 */
public final class BatchNormCalibration {

    /** Batch, height and width: the axes a per-channel statistic reduces (PyTorch's mean takes one axis in DJL). */
    private static final int[] AXES = {0, 2, 3};

    private final NetworkBlock block;
    private final List<Layer> norms = new ArrayList<>();
    private final long[] count;
    private final double[][] mean;
    private final double[][] m2;

    /** A calibration of every batch-norm layer of {@code block}, with no batch added yet. */
    public BatchNormCalibration(NetworkBlock block) {
        this.block = block;
        for (Layer l : block.network().layers()) {
            if (l.kind() == LayerKind.BATCH_NORM) {
                norms.add(l);
            }
        }
        count = new long[norms.size()];
        mean = new double[norms.size()][];
        m2 = new double[norms.size()][];
        for (int k = 0; k < norms.size(); k++) {
            int c = norms.get(k).input().channels();
            mean[k] = new double[c];
            m2[k] = new double[c];
        }
    }

    /**
     * Runs one calibration batch {@code x} (N, C, H, W) and merges the moments of every batch-norm input; the
     * arrays it makes live in {@code x}'s manager, which the caller closes after the batch.
     */
    public void add(NDArray x) {
        NDArray[] values = block.forwardLayers(new ParameterStore(x.getManager(), false), x, true, null);
        for (int k = 0; k < norms.size(); k++) {
            NDArray in = values[norms.get(k).inputs().get(0)];
            Shape s = in.getShape();
            float n = s.get(0) * s.get(2) * s.get(3);
            NDArray mu = in.sum(AXES, true).div(n);
            NDArray var = in.sub(mu).square().sum(AXES).div(n);
            merge(k, (long) n, mu.toFloatArray(), var.toFloatArray());
        }
    }

    /** Chan et al.: merges a batch of {@code n} values per channel with mean {@code mu} and population variance. */
    private void merge(int k, long n, float[] mu, float[] var) {
        long total = count[k] + n;
        for (int c = 0; c < mu.length; c++) {
            double delta = mu[c] - mean[k][c];
            mean[k][c] += delta * n / total;
            m2[k][c] += (double) var[c] * n + delta * delta * ((double) count[k] * n / total);
        }
        count[k] = total;
    }

    /** Replaces every batch-norm layer's running mean and variance by the merged statistics. */
    public void apply() {
        if (norms.isEmpty()) {
            return;
        }
        if (count[0] == 0) {
            throw new IllegalStateException("batch-norm recalibration needs at least one batch");
        }
        for (int k = 0; k < norms.size(); k++) {
            var params = statistics(block.layerBlock(norms.get(k).id()));
            float[] mu = new float[mean[k].length];
            float[] var = new float[mean[k].length];
            for (int c = 0; c < mu.length; c++) {
                mu[c] = (float) mean[k][c];
                var[c] = (float) (m2[k][c] / count[k]);
            }
            params.get("runningMean").getArray().set(mu);
            params.get("runningVar").getArray().set(var);
        }
    }

    /** A batch-norm block's running statistics by name ({@code runningMean}, {@code runningVar}). */
    private static java.util.Map<String, ai.djl.nn.Parameter> statistics(ai.djl.nn.Block bn) {
        java.util.Map<String, ai.djl.nn.Parameter> out = new java.util.HashMap<>();
        for (var pair : bn.getParameters()) {
            for (String name : List.of("runningMean", "runningVar")) {
                if (pair.getKey().endsWith(name)) {
                    out.put(name, pair.getValue());
                }
            }
        }
        if (out.size() != 2) {
            throw new IllegalStateException("batch-norm block without running statistics: " + out.keySet());
        }
        return out;
    }
}
