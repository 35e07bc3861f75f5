package io.hwnas.experiments.export.mixed;

import io.hwnas.core.quant.ActivationRange;
import io.hwnas.core.quant.PercentileRange;
import io.hwnas.experiments.export.graph.OrtModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * Calibrated activation ranges: the min and max of each MAC layer's input over a calibration batch, run through
 * the float ONNX model in ONNX Runtime (the convention's min/max calibration), or, at a percentile below 100, the
 * mean over chunks of {@link #CHUNK} images of each chunk's {@link PercentileRange} (as quantisation-aware training
 * calibrates over its batches).
 */
public final class RangeCalibration {

    /** Calibration images run through ONNX Runtime at once. */
    static final int CHUNK = 64;

    private RangeCalibration() {
    }

    /**
     * The ranges of the inputs of {@code layers} (IR names; their Conv/Gemm nodes read {@code layer.weight}).
     *
     * @param x     a flattened calibration batch
     * @param shape its shape, N x C x H x W
     */
    public static ActivationRangesFile calibrate(ModelProto floatModel, List<String> layers, float[] x, long[] shape) {
        return calibrate(floatModel, layers, x, shape, 100);
    }

    /** As {@link #calibrate(ModelProto, List, float[], long[])}, clipped at percentile {@code p} (100: min/max). */
    public static ActivationRangesFile calibrate(ModelProto floatModel, List<String> layers, float[] x, long[] shape,
            double p) {
        PercentileRange.check(p, "calibration percentile");
        GraphProto g = floatModel.getGraph();
        Map<String, String> inputOf = new LinkedHashMap<>();
        for (NodeProto n : g.getNodeList()) {
            if ((n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) && n.getInputCount() >= 2) {
                inputOf.put(n.getInput(1), n.getInput(0));
            }
        }
        Map<String, String> tensorOf = new LinkedHashMap<>();
        for (String l : layers) {
            String t = inputOf.get(l + ".weight");
            if (t == null) {
                throw new IllegalArgumentException("the ONNX model has no Conv or Gemm node reading " + l + ".weight");
            }
            tensorOf.put(l, t);
        }
        Set<String> tensors = new LinkedHashSet<>(tensorOf.values());
        Map<String, float[]> minMax = observe(expose(floatModel, tensors), tensors, x, shape, p);
        Map<String, ActivationRange> out = new LinkedHashMap<>();
        tensorOf.forEach((l, t) -> out.put(l, new ActivationRange(minMax.get(t)[0], minMax.get(t)[1])));
        return new ActivationRangesFile("calibration (" + (p < 100 ? "percentile " + p + ", mean over chunks of "
                + CHUNK : "min/max") + " of " + shape[0] + " images)", out);
    }

    private static byte[] expose(ModelProto model, Set<String> tensors) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (String t : tensors) {
            if (g.getOutputList().stream().noneMatch(o -> o.getName().equals(t))
                    && g.getInputList().stream().noneMatch(o -> o.getName().equals(t))) {
                g.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        return model.toBuilder().setGraph(g).build().toByteArray();
    }

    private static Map<String, float[]> observe(byte[] model, Set<String> tensors, float[] x, long[] shape, double p) {
        Map<String, float[]> minMax = new LinkedHashMap<>();
        Map<String, PercentileRange> clipped = new LinkedHashMap<>();
        for (String t : tensors) {
            minMax.put(t, new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
            clipped.put(t, new PercentileRange());
        }
        int n = (int) shape[0];
        long perSample = x.length / n;
        try (OrtModel ort = new OrtModel(model, 1)) {
            Set<String> outputs = new LinkedHashSet<>(tensors);
            String input = io.hwnas.experiments.export.graph.OnnxNames.INPUT;
            outputs.remove(input);
            for (int from = 0; from < n; from += CHUNK) {
                int count = Math.min(CHUNK, n - from);
                float[] chunk = Arrays.copyOfRange(x, (int) (from * perSample), (int) ((from + count) * perSample));
                long[] s = shape.clone();
                s[0] = count;
                if (tensors.contains(input)) {
                    update(minMax.get(input), clipped.get(input), chunk, p);
                }
                if (!outputs.isEmpty()) {
                    ort.runAll(chunk, s, outputs).forEach((k, v) -> update(minMax.get(k), clipped.get(k), v, p));
                }
            }
        }
        return minMax;
    }

    private static void update(float[] mm, PercentileRange clipped, float[] v, double p) {
        if (p < 100) {
            ActivationRange r = clipped.add(v, p);
            mm[0] = (float) r.lo();
            mm[1] = (float) r.hi();
            return;
        }
        for (float f : v) {
            mm[0] = Math.min(mm[0], f);
            mm[1] = Math.max(mm[1], f);
        }
    }
}
