package io.hwnas.experiments.export.graph;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** An ONNX model loaded in ONNX Runtime (CPU), run on float inputs named {@value OnnxNames#INPUT}. */
public final class OrtModel implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;

    /**
     * Loads serialised model bytes.
     *
     * @param threads intra-op threads (1 for reproducible latency on a shared host)
     * @throws IllegalArgumentException when ONNX Runtime rejects the model, with its message
     */
    public OrtModel(byte[] model, int threads) {
        this(model, threads, true);
    }

    /** {@link #OrtModel(byte[], int)} with ONNX Runtime's graph optimisations on (all) or off. */
    public OrtModel(byte[] model, int threads, boolean optimize) {
        this(model, threads, optimize, false);
    }

    /**
     * {@link #OrtModel(byte[], int, boolean)}, with {@code asWritten} also without ONNX Runtime's QDQ transformers
     * ({@code session.disable_quant_qdq}): the model computes what its QuantizeLinear/DequantizeLinear nodes say,
     * while by default ONNX Runtime quantises the float weights and biases of a Conv or Gemm that reads a
     * dequantised activation to int8 and int32 itself (its WeightBiasQuantization pass) to fuse integer kernels.
     */
    public OrtModel(byte[] model, int threads, boolean optimize, boolean asWritten) {
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(optimize ? OrtSession.SessionOptions.OptLevel.ALL_OPT
                    : OrtSession.SessionOptions.OptLevel.NO_OPT);
            if (asWritten) {
                options.addConfigEntry("session.disable_quant_qdq", "1");
            }
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
    }

    /** Runs the model and returns its first output, flattened. */
    public float[] run(float[] input, long[] shape) {
        return runAll(input, shape, Set.of(session.getOutputNames().iterator().next()))
                .values().iterator().next();
    }

    /** Runs the model and returns the named outputs, flattened. */
    public Map<String, float[]> runAll(float[] input, long[] shape, Set<String> outputs) {
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                OrtSession.Result r = session.run(Map.of(OnnxNames.INPUT, x), outputs)) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> e : r) {
                FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                out.put(e.getKey(), a);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
        }
    }

    /** The names of the model's outputs. */
    public Set<String> outputNames() {
        return session.getOutputNames();
    }

    /**
     * The median wall time of one inference in milliseconds, after warm-up runs.
     *
     * @param input one input batch
     */
    public double medianLatencyMs(float[] input, long[] shape, int warmup, int runs) {
        if (runs <= 0) {
            throw new IllegalArgumentException("runs must be positive, but was " + runs);
        }
        for (int i = 0; i < warmup; i++) {
            run(input, shape);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run(input, shape);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX Runtime session", e);
        }
    }
}
