package io.hwnas.experiments.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.experiments.export.graph.OrtModel;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The result of running an exported model in ONNX Runtime against the DJL network on the same seeded
 * inputs (DJL in inference mode).
 *
 * @param batch      samples compared
 * @param maxAbsDiff largest absolute difference of any output element
 * @param maxAbsOutput largest absolute output of the DJL network (the scale of the difference)
 * @param latencyMs  ONNX Runtime's median latency for one sample on this host (1 thread)
 */
public record Verification(int batch, double maxAbsDiff, double maxAbsOutput, double latencyMs) {

    /**
     * The largest difference an exported float model may show, relative to the largest absolute
     * output of the DJL network: float32 summation in another order (ONNX Runtime's kernels, folded
     * batch norm) stays near 1e-6 of the output scale; a wrong kernel is off by the scale itself.
     */
    public static final double RELATIVE_TOLERANCE = 1e-4;

    /** {@link #maxAbsDiff} relative to {@link #maxAbsOutput}. */
    public double relativeDiff() {
        return maxAbsOutput > 0 ? maxAbsDiff / maxAbsOutput : maxAbsDiff;
    }

    /** Whether the ONNX model agrees with the DJL network within {@link #RELATIVE_TOLERANCE}. */
    public boolean withinTolerance() {
        return relativeDiff() <= RELATIVE_TOLERANCE;
    }

    /**
     * Compares the ONNX model with the block on {@code batch} standard-normal inputs drawn with
     * {@code seed}, and times {@code latencyRuns} single-sample runs (after 3 warm-up runs).
     */
    public static Verification of(byte[] model, NetworkBlock block, long seed, int batch, int latencyRuns) {
        float[] x = gaussian(new SplittableRandom(seed), batch * block.network().inputShape().elements());
        long[] shape = DjlNetworks.inputShape(block.network(), batch).getShape();
        float[] expected = djl(block, x, shape);
        try (OrtModel ort = new OrtModel(model, 1)) {
            float[] actual = ort.run(x, shape);
            double diff = maxAbsDiff(expected, actual);
            long[] one = shape.clone();
            one[0] = 1;
            float[] sample = java.util.Arrays.copyOf(x, (int) block.network().inputShape().elements());
            double latency = ort.medianLatencyMs(sample, one, 3, latencyRuns);
            double scale = 0;
            for (float e : expected) {
                scale = Math.max(scale, Math.abs(e));
            }
            return new Verification(batch, diff, scale, latency);
        }
    }

    /** The block's outputs (inference mode) for a flattened input batch. */
    public static float[] djl(NetworkBlock block, float[] x, long[] shape) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray in = m.create(x, new ai.djl.ndarray.types.Shape(shape));
            return block.forward(new ParameterStore(m, false), new NDList(in), false).singletonOrThrow()
                    .toFloatArray();
        }
    }

    /** {@code n} standard-normal floats. */
    public static float[] gaussian(RandomGenerator random, long n) {
        float[] x = new float[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** The largest absolute element-wise difference; infinite if the lengths differ or a value is NaN. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, d);
        }
        return max;
    }
}
