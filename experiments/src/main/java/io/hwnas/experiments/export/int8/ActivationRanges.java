package io.hwnas.experiments.export.int8;

import io.hwnas.experiments.export.graph.OnnxNames;
import io.hwnas.experiments.export.graph.OrtModel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/** Observes activation tensors on a calibration batch in ONNX Runtime and sets their uint8 ranges. */
final class ActivationRanges {

    /** Calibration images run through ONNX Runtime at once. */
    static final int CHUNK = 64;

    private ActivationRanges() {
    }

    /** Observers of the named tensors (with their channel counts) over the calibration batch, run in ONNX Runtime. */
    static Map<String, ActivationObserver> calibrate(ModelProto model, Map<String, Integer> tensors, float[] x,
            long[] shape) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> outputs = exposeOutputs(g, tensors.keySet());
        int n = (int) shape[0];
        Map<String, ActivationObserver> observers = new LinkedHashMap<>();
        long seed = 17;
        for (Map.Entry<String, Integer> t : tensors.entrySet()) {
            observers.put(t.getKey(), new ActivationObserver(new SplittableRandom(seed++), t.getValue()));
        }
        if (tensors.containsKey(OnnxNames.INPUT)) {
            observers.get(OnnxNames.INPUT).add(x, n, x.length);
        }
        if (!outputs.isEmpty()) {
            observe(model.toBuilder().setGraph(g).build().toByteArray(), outputs, observers, x, shape);
        }
        return observers;
    }

    /** Makes the tensors (but the model input) graph outputs where they are not; returns them. */
    private static Set<String> exposeOutputs(GraphProto.Builder g, Set<String> tensors) {
        Set<String> outputs = new LinkedHashSet<>();
        for (String t : tensors) {
            if (t.equals(OnnxNames.INPUT)) {
                continue;
            }
            if (g.getOutputList().stream().noneMatch(o -> o.getName().equals(t))) {
                g.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
            outputs.add(t);
        }
        return outputs;
    }

    /** Runs the batch in chunks of {@link #CHUNK} and feeds each output to its observer. */
    private static void observe(byte[] model, Set<String> outputs, Map<String, ActivationObserver> observers,
            float[] x, long[] shape) {
        int n = (int) shape[0];
        long perSample = x.length / n;
        try (OrtModel ort = new OrtModel(model, 1)) {
            for (int from = 0; from < n; from += CHUNK) {
                int count = Math.min(CHUNK, n - from);
                float[] chunk = Arrays.copyOfRange(x, (int) (from * perSample), (int) ((from + count) * perSample));
                long[] s = shape.clone();
                s[0] = count;
                for (Map.Entry<String, float[]> e : ort.runAll(chunk, s, outputs).entrySet()) {
                    float[] v = e.getValue();
                    observers.get(e.getKey()).add(v, count, (long) v.length / count * n);
                }
            }
        }
    }

    /** The ranges of the observed tensors; a pass-through operator's output takes its quantised input's range. */
    static Map<String, ActivationRange> ranges(GraphProto g, Map<String, ActivationObserver> observed,
            Int8Options options) {
        Map<String, ActivationRange> ranges = new LinkedHashMap<>();
        observed.forEach((t, o) -> ranges.put(t, o.range(options)));
        for (NodeProto n : g.getNodeList()) {
            if (QdqTargets.PASS_THROUGH.contains(n.getOpType()) && ranges.containsKey(n.getInput(0))
                    && ranges.containsKey(n.getOutput(0))) {
                ranges.put(n.getOutput(0), ranges.get(n.getInput(0)));
            }
        }
        return ranges;
    }
}
