package io.hwnas.experiments.export.int8;

import static io.hwnas.experiments.export.graph.GraphWriter.integer;

import io.hwnas.experiments.export.graph.GraphWriter;
import io.hwnas.experiments.export.graph.OnnxNames;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

/**
 * Rewrites a float model into QDQ form: DequantizeLinear nodes over int8 weights and int32 biases for the quantised
 * Conv/Gemm nodes, and a QuantizeLinear/DequantizeLinear pair (uint8, per tensor) after each quantised activation.
 */
final class QdqRewriter {

    private final ModelProto floatModel;
    private final Map<String, TensorProto> init;
    private final Map<String, ActivationRange> ranges;
    private final Map<String, ActivationObserver> observed;

    /**
     * @param ranges   the activation ranges of every tensor that may be quantised
     * @param observed their observers (channel means, for bias correction)
     */
    QdqRewriter(ModelProto floatModel, Map<String, ActivationRange> ranges,
            Map<String, ActivationObserver> observed) {
        this.floatModel = floatModel;
        this.init = QdqTargets.initializers(floatModel.getGraph());
        this.ranges = ranges;
        this.observed = observed;
    }

    /** The QDQ model with the named Conv/Gemm nodes quantised. */
    ModelProto rewrite(Set<String> quantized, Int8Options options) {
        return rewrite(quantized, options, null, true);
    }

    /**
     * The QDQ model quantising only the named activation tensors (all of them when null) and the weights or not
     * (error analysis).
     */
    ModelProto rewrite(Set<String> quantized, Int8Options options, Set<String> only, boolean weights) {
        GraphProto g = floatModel.getGraph();
        GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer();
        GraphWriter gw = new GraphWriter(out);
        Set<String> tensors = new LinkedHashSet<>(QdqTargets.quantizedTensors(g, init, quantized, options).keySet());
        if (only != null) {
            tensors.retainAll(only);
        }
        Set<String> replaced = new HashSet<>();
        Map<String, String> dequantized = new HashMap<>();
        if (tensors.contains(OnnxNames.INPUT)) {
            dequantized.put(OnnxNames.INPUT, quantizeDequantize(gw, OnnxNames.INPUT, ranges.get(OnnxNames.INPUT)));
        }
        for (NodeProto n : g.getNodeList()) {
            boolean weighted = QdqTargets.isWeighted(n, init);
            NodeProto.Builder q = n.toBuilder();
            // a float Conv/Gemm reads the float tensors; without allTensors only the quantised Conv/Gemm nodes read the
            // dequantised ones
            if (weighted ? quantized.contains(n.getName()) : options.allTensors()) {
                for (int i = 0; i < n.getInputCount(); i++) {
                    String dq = dequantized.get(n.getInput(i));
                    if (dq != null) {
                        q.setInput(i, dq);
                    }
                }
            }
            if (weighted && quantized.contains(n.getName()) && weights) {
                quantizeWeights(gw, n, q, options, replaced);
            }
            out.addNode(q);
            for (String o : n.getOutputList()) {
                if (tensors.contains(o)) {
                    dequantized.put(o, quantizeDequantize(gw, o, ranges.get(o)));
                }
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            if (!replaced.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        return floatModel.toBuilder().setGraph(out).build();
    }

    /** Replaces a Conv/Gemm's weight (and bias) input with a dequantised int8 (int32) initialiser. */
    private void quantizeWeights(GraphWriter gw, NodeProto n, NodeProto.Builder q, Int8Options options,
            Set<String> replaced) {
        String x = n.getInput(0);
        ActivationRange r = ranges.get(x);
        TensorProto w = init.get(n.getInput(1));
        float[] wf = io.hwnas.experiments.export.graph.GraphWriter.floats(w);
        int channels = (int) w.getDims(0);
        TensorProto b = n.getInputCount() > 2 && init.containsKey(n.getInput(2)) ? init.get(n.getInput(2)) : null;
        float[] bf = b == null ? null : io.hwnas.experiments.export.graph.GraphWriter.floats(b);
        float[] wScale = WeightQuantization.weightScales(wf, channels, bf, r.scale());
        byte[] wq = WeightQuantization.quantizePerChannelWith(wf, channels, wScale);
        if (bf != null && options.biasCorrection()) {
            bf = WeightQuantization.correctBias(bf, wf, wq, wScale, observed.get(x).channelMeans(),
                    QdqTargets.group(n));
        }
        long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
        String wName = w.getName();
        String wqName = gw.bytes(wName + "/q", dims, wq, false);
        String wsName = gw.floats(wName + "/scale", new long[] {channels}, wScale);
        String wzName = gw.bytes(wName + "/zero_point", new long[] {channels}, new byte[channels], false);
        gw.node("DequantizeLinear", wName + "/dequantize", List.of(wqName, wsName, wzName),
                List.of(wName + "/dq"), integer("axis", 0));
        replaced.add(wName);
        q.setInput(1, wName + "/dq");
        if (b != null) {
            String bName = b.getName();
            quantizeBias(gw, bName, bf, r.scale(), wScale);
            replaced.add(bName);
            q.setInput(2, bName + "/dq");
        }
    }

    /** Adds the int32 bias at scale input-scale x weight-scale and its DequantizeLinear node. */
    private static void quantizeBias(GraphWriter gw, String bName, float[] bf, float inputScale, float[] wScale) {
        int channels = wScale.length;
        float[] bScale = new float[channels];
        int[] bq = WeightQuantization.quantizeBias(bf, inputScale, wScale, bScale);
        String bqName = gw.ints(bName + "/q", new long[] {channels}, bq);
        String bsName = gw.floats(bName + "/scale", new long[] {channels}, bScale);
        String bzName = gw.ints(bName + "/zero_point", new long[] {channels}, new int[channels]);
        gw.node("DequantizeLinear", bName + "/dequantize", List.of(bqName, bsName, bzName),
                List.of(bName + "/dq"), integer("axis", 0));
    }

    /** Adds a QuantizeLinear/DequantizeLinear pair (uint8, per tensor) on a tensor; returns the dequantised name. */
    private static String quantizeDequantize(GraphWriter gw, String x, ActivationRange r) {
        String s = gw.floats(x + "/scale", new long[0], new float[] {r.scale()});
        String zp = gw.bytes(x + "/zero_point", new long[0], new byte[] {(byte) r.zeroPoint()}, true);
        gw.node("QuantizeLinear", x + "/quantize", List.of(x, s, zp), List.of(x + "/q"));
        gw.node("DequantizeLinear", x + "/dequantize", List.of(x + "/q", s, zp), List.of(x + "/dq"));
        return x + "/dq";
    }
}
