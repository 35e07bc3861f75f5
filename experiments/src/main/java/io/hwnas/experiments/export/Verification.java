package io.hwnas.experiments.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.experiments.export.graph.OrtModel;
import java.nio.DoubleBuffer;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The result of running an exported model in ONNX Runtime against the DJL network on the same seeded
 * inputs (DJL in inference mode).
 *
 * @param batch        samples compared
 * @param maxAbsDiff   largest absolute difference of any output element
 * @param maxAbsOutput largest absolute output of the DJL network (the scale of the difference)
 * @param latencyMs    ONNX Runtime's median latency for one sample on this host (1 thread)
 * @param float32Error the DJL network's own float32 error: its largest absolute difference from the same network
 *                     in float64 on the same inputs; measured only when {@code maxAbsDiff} is above
 *                     {@link #RELATIVE_TOLERANCE} of the output scale, else NaN
 */
public record Verification(int batch, double maxAbsDiff, double maxAbsOutput, double latencyMs, double float32Error) {

    /**
     * The largest difference an exported float model may show, relative to the largest absolute
     * output of the DJL network: float32 summation in another order (ONNX Runtime's kernels, folded
     * batch norm) stays near 1e-6 of the output scale in most networks; a wrong kernel is off by the scale itself.
     */
    public static final double RELATIVE_TOLERANCE = 1e-4;

    /**
     * How many times the DJL network's own float32 error ONNX Runtime may differ by, where that is more than
     * {@link #RELATIVE_TOLERANCE} of the output. Some trained networks amplify float32 rounding: in two fine-tuned
     * 32x32 MobileNets (width 0.25) whose batch norms produce pre-activations near 100 before ReLU6, a difference of
     * 2e-7 of the stem's output grew to 1e-3 of the logits over 20 layers, the same in both of DJL's memory
     * layouts. DJL's own float32 error against float64 was 0.0069 and 0.0010 (outputs up to 8.1 and 5.3), ONNX
     * Runtime's difference from DJL 0.0079 and 0.0015; a wrong kernel is off by the output's scale.
     */
    public static final double ERROR_FACTOR = 10;

    /** A verification whose difference was within {@link #RELATIVE_TOLERANCE} (no float64 reference run). */
    public Verification(int batch, double maxAbsDiff, double maxAbsOutput, double latencyMs) {
        this(batch, maxAbsDiff, maxAbsOutput, latencyMs, Double.NaN);
    }

    /** {@link #maxAbsDiff} relative to {@link #maxAbsOutput}. */
    public double relativeDiff() {
        return maxAbsOutput > 0 ? maxAbsDiff / maxAbsOutput : maxAbsDiff;
    }

    /**
     * The largest absolute difference allowed: {@link #RELATIVE_TOLERANCE} of the largest output, or {@link
     * #ERROR_FACTOR} times the DJL network's own float32 error where that is larger.
     */
    public double tolerance() {
        double floor = RELATIVE_TOLERANCE * (maxAbsOutput > 0 ? maxAbsOutput : 1);
        return Double.isNaN(float32Error) ? floor : Math.max(floor, ERROR_FACTOR * float32Error);
    }

    /** Whether the ONNX model agrees with the DJL network within {@link #tolerance}. */
    public boolean withinTolerance() {
        return maxAbsDiff <= tolerance();
    }

    /**
     * Compares the ONNX model with the block on {@code batch} standard-normal inputs drawn with
     * {@code seed}, and times {@code latencyRuns} single-sample runs (after 3 warm-up runs). Where the difference
     * is above {@link #RELATIVE_TOLERANCE} of the output, the block's own float32 error is measured against a
     * float64 copy of it ({@link #float32Error}).
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
            Verification v = new Verification(batch, diff, scale, latency);
            return v.withinTolerance() || !Double.isFinite(diff) ? v
                    : new Verification(batch, diff, scale, latency, maxAbsDiff(expected, float64(block, x, shape)));
        }
    }

    /** The outputs of a float64 copy of the block (same parameters and running statistics), as floats. */
    static float[] float64(NetworkBlock block, float[] x, long[] shape) {
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock wide = DjlNetworks.initialized(block.network(), m, DataType.FLOAT64, (int) shape[0]);
            PairList<String, Parameter> from = block.getParameters();
            PairList<String, Parameter> to = wide.getParameters();
            for (int i = 0; i < from.size(); i++) {
                try (NDArray wide64 = from.get(i).getValue().getArray().toType(DataType.FLOAT64, true)) {
                    to.get(i).getValue().getArray().set(DoubleBuffer.wrap(wide64.toDoubleArray()));
                }
            }
            NDArray in = m.create(x, new ai.djl.ndarray.types.Shape(shape)).toType(DataType.FLOAT64, false);
            return wide.forward(new ParameterStore(m, false), new NDList(in), false).singletonOrThrow()
                    .toType(DataType.FLOAT32, false).toFloatArray();
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
