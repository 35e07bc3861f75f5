package io.hwnas.experiments.export;

import static io.hwnas.experiments.export.GraphWriter.integer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * Quantises a float ONNX model to int8 in QDQ form (QuantizeLinear/DequantizeLinear pairs, as ONNX
 * Runtime, TensorRT and NPU compilers take in): the weights of every Conv and Gemm symmetric int8 per
 * output channel, their biases int32 at scale input-scale x weight-scale, and the activations each
 * Conv and Gemm reads asymmetric uint8 per tensor, with ranges from a calibration batch run in ONNX
 * Runtime. Batch norms should be folded first ({@link OnnxExporter#folding()}) so that they are
 * quantised with their convolutions.
 */
public final class Int8Quantizer {

    private Int8Quantizer() {
    }

    /** A per-tensor uint8 activation range: scale and zero point. */
    record Range(float scale, int zeroPoint) {

        static Range of(float min, float max) {
            float lo = Math.min(0f, min);
            float hi = Math.max(0f, max);
            if (hi - lo <= 0f) {
                return new Range(1f, 0);
            }
            float scale = (hi - lo) / 255f;
            int zp = Math.round(-lo / scale);
            return new Range(scale, Math.max(0, Math.min(255, zp)));
        }
    }

    /**
     * The QDQ model of a float model.
     *
     * @param calibration a flattened input batch (N x C x H x W) whose activations set the ranges
     */
    public static ModelProto quantize(ModelProto floatModel, float[] calibration, long[] shape) {
        GraphProto g = floatModel.getGraph();
        Map<String, TensorProto> init = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            init.put(t.getName(), t);
        }
        Set<String> activations = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (isQuantized(n) && init.containsKey(n.getInput(1)) && !init.containsKey(n.getInput(0))) {
                activations.add(n.getInput(0));
            }
        }
        Map<String, Range> ranges = calibrate(floatModel, activations, calibration, shape);

        GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer();
        GraphWriter gw = new GraphWriter(out);
        Set<String> replaced = new HashSet<>();
        Map<String, String> dequantized = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            if (!isQuantized(n) || !ranges.containsKey(n.getInput(0)) || !init.containsKey(n.getInput(1))) {
                out.addNode(n);
                continue;
            }
            String x = n.getInput(0);
            Range r = ranges.get(x);
            String xdq = dequantized.get(x);
            if (xdq == null) {
                String s = gw.floats(x + "/scale", new long[0], new float[] {r.scale()});
                String zp = gw.bytes(x + "/zero_point", new long[0], new byte[] {(byte) r.zeroPoint()}, true);
                gw.node("QuantizeLinear", x + "/quantize", List.of(x, s, zp), List.of(x + "/q"));
                xdq = x + "/dq";
                gw.node("DequantizeLinear", x + "/dequantize", List.of(x + "/q", s, zp), List.of(xdq));
                dequantized.put(x, xdq);
            }
            TensorProto w = init.get(n.getInput(1));
            float[] wf = floats(w);
            int channels = (int) w.getDims(0);
            float[] wScale = new float[channels];
            byte[] wq = quantizePerChannel(wf, channels, wScale);
            long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
            String wName = w.getName();
            String wqName = gw.bytes(wName + "/q", dims, wq, false);
            String wsName = gw.floats(wName + "/scale", new long[] {channels}, wScale);
            String wzName = gw.bytes(wName + "/zero_point", new long[] {channels}, new byte[channels], false);
            gw.node("DequantizeLinear", wName + "/dequantize", List.of(wqName, wsName, wzName),
                    List.of(wName + "/dq"), integer("axis", 0));
            replaced.add(wName);
            NodeProto.Builder q = n.toBuilder().setInput(0, xdq).setInput(1, wName + "/dq");
            if (n.getInputCount() > 2 && init.containsKey(n.getInput(2))) {
                TensorProto b = init.get(n.getInput(2));
                float[] bf = floats(b);
                float[] bScale = new float[channels];
                int[] bq = new int[channels];
                for (int c = 0; c < channels; c++) {
                    bScale[c] = r.scale() * wScale[c];
                    double v = Math.rint(bf[c] / (double) bScale[c]);
                    bq[c] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, v));
                }
                String bName = b.getName();
                String bqName = gw.ints(bName + "/q", new long[] {channels}, bq);
                String bsName = gw.floats(bName + "/scale", new long[] {channels}, bScale);
                String bzName = gw.ints(bName + "/zero_point", new long[] {channels}, new int[channels]);
                gw.node("DequantizeLinear", bName + "/dequantize", List.of(bqName, bsName, bzName),
                        List.of(bName + "/dq"), integer("axis", 0));
                replaced.add(bName);
                q.setInput(2, bName + "/dq");
            }
            out.addNode(q);
        }
        for (TensorProto t : g.getInitializerList()) {
            if (!replaced.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        ModelProto.Builder m = floatModel.toBuilder().setGraph(out);
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey("hwnas.quantization")
                .setValue("int8 QDQ: weights symmetric int8 per output channel, activations uint8 per tensor, "
                        + shape[0] + " calibration samples"));
        return m.build();
    }

    private static boolean isQuantized(NodeProto n) {
        return (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) && n.getInputCount() >= 2;
    }

    /** Symmetric int8 per channel along dimension 0; fills {@code scales}. */
    static byte[] quantizePerChannel(float[] w, int channels, float[] scales) {
        int per = w.length / channels;
        byte[] q = new byte[w.length];
        for (int c = 0; c < channels; c++) {
            float max = 0;
            for (int j = 0; j < per; j++) {
                max = Math.max(max, Math.abs(w[c * per + j]));
            }
            float s = max == 0 ? 1f : max / 127f;
            scales[c] = s;
            for (int j = 0; j < per; j++) {
                long v = Math.round(w[c * per + j] / s);
                q[c * per + j] = (byte) Math.max(-127, Math.min(127, v));
            }
        }
        return q;
    }

    /** Activation ranges of the named tensors over the calibration batch, measured in ONNX Runtime. */
    static Map<String, Range> calibrate(ModelProto model, Set<String> tensors, float[] x, long[] shape) {
        Map<String, Range> ranges = new LinkedHashMap<>();
        GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> outputs = new LinkedHashSet<>();
        for (String t : tensors) {
            if (t.equals(OnnxExporter.INPUT)) {
                ranges.put(t, range(x));
                continue;
            }
            if (g.getOutputList().stream().noneMatch(o -> o.getName().equals(t))) {
                g.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
            outputs.add(t);
        }
        if (!outputs.isEmpty()) {
            byte[] bytes = model.toBuilder().setGraph(g).build().toByteArray();
            try (OrtModel ort = new OrtModel(bytes, 1)) {
                for (Map.Entry<String, float[]> e : ort.runAll(x, shape, outputs).entrySet()) {
                    ranges.put(e.getKey(), range(e.getValue()));
                }
            }
        }
        Map<String, Range> ordered = new LinkedHashMap<>();
        for (String t : tensors) {
            ordered.put(t, ranges.get(t));
        }
        return ordered;
    }

    private static Range range(float[] v) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        return Range.of(min, max);
    }

    private static float[] floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("initializer " + t.getName() + " is not float");
        }
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
            return f;
        }
        List<Float> list = new ArrayList<>(t.getFloatDataList());
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = list.get(i);
        }
        return f;
    }
}
