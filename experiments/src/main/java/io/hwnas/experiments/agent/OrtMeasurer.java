package io.hwnas.experiments.agent;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;

/**
 * Times a serialised ONNX model in ONNX Runtime (CPU, all graph optimisations, the given intra-op
 * threads, one inter-op thread): seeded float inputs of the model's input shapes (symbolic dimensions
 * 1), warm-up runs, then timed runs until the count or the time budget is reached.
 */
public final class OrtMeasurer {

    private final int threads;
    private final EnergyMeter.Opened energy;

    /** A model ONNX Runtime rejects or cannot run (the agent answers 422). */
    public static final class ModelFailure extends RuntimeException {
        ModelFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public OrtMeasurer(int threads, EnergyMeter.Opened energy) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, but was " + threads);
        }
        this.threads = threads;
        this.energy = energy;
    }

    public int threads() {
        return threads;
    }

    /** How energy is measured, or why it is not. */
    public String energyNote() {
        return energy.meter() != null ? energy.meter().describe() : energy.reason();
    }

    /**
     * Times the model.
     *
     * @param budgetNanos time for warm-up and timed runs together
     * @throws ModelFailure when ONNX Runtime cannot load or run the model
     */
    public Measurement measure(byte[] model, int warmup, int runs, long budgetNanos) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long deadline = System.nanoTime() + budgetNanos;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options)) {
                Map<String, OnnxTensor> inputs = inputs(env, session);
                try {
                    return time(session, inputs, warmup, runs, deadline);
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
            }
        } catch (OrtException e) {
            throw new ModelFailure("ONNX Runtime cannot run the model: " + e.getMessage(), e);
        }
    }

    private Measurement time(OrtSession session, Map<String, OnnxTensor> inputs, int warmup, int runs, long deadline)
            throws OrtException {
        int warm = 0;
        while (warm < warmup && (warm == 0 || System.nanoTime() < deadline)) {
            session.run(inputs).close();
            warm++;
        }
        double[] ms = new double[runs];
        double[] cpu = new double[runs];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        boolean cpuTime = threads == 1 && mx.isCurrentThreadCpuTimeSupported();
        int[] done = {0};
        Runnable timed = () -> {
            try {
                for (int i = 0; i < runs && (i == 0 || System.nanoTime() < deadline); i++) {
                    long c0 = cpuTime ? mx.getCurrentThreadCpuTime() : 0;
                    long t0 = System.nanoTime();
                    session.run(inputs).close();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    cpu[i] = cpuTime ? (mx.getCurrentThreadCpuTime() - c0) / 1e6 : Double.NaN;
                    done[0]++;
                }
            } catch (OrtException e) {
                throw new ModelFailure("ONNX Runtime failed to run the model: " + e.getMessage(), e);
            }
        };
        double mj = Double.NaN;
        String note;
        if (energy.meter() != null) {
            mj = energy.meter().joules(timed) * 1000 / Math.max(1, done[0]);
            note = energy.meter().describe() + " over the timed runs (other processes' load included)";
        } else {
            timed.run();
            note = energy.reason();
        }
        double[] t = Arrays.copyOf(ms, done[0]);
        Percentile p = new Percentile().withEstimationType(EstimationType.R_7);
        double cpuMedian = cpuTime ? p.evaluate(Arrays.copyOf(cpu, done[0]), 50) : Double.NaN;
        return new Measurement(p.evaluate(t, 50), p.evaluate(t, 10), p.evaluate(t, 90), cpuMedian, t.length,
                warm, threads, mj, note, t.length < runs);
    }

    private static Map<String, OnnxTensor> inputs(OrtEnvironment env, OrtSession session) throws OrtException {
        Map<String, OnnxTensor> out = new HashMap<>();
        SplittableRandom random = new SplittableRandom(0);
        try {
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                if (!(e.getValue().getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.FLOAT) {
                    throw new ModelFailure("input " + e.getKey() + " is " + e.getValue().getInfo()
                            + "; the agent feeds float tensors", null);
                }
                long[] shape = ti.getShape();
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shape[i] <= 0 ? 1 : shape[i];
                    n *= shape[i];
                }
                if (n > Integer.MAX_VALUE / 2) {
                    throw new ModelFailure("input " + e.getKey() + " of shape " + Arrays.toString(shape)
                            + " is too large to feed", null);
                }
                float[] x = new float[(int) n];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                out.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape));
            }
        } catch (RuntimeException | OrtException e) {
            out.values().forEach(OnnxTensor::close);
            throw e;
        }
        return out;
    }
}
