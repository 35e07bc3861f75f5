package io.hwnas.experiments.export.mixed;

import static io.hwnas.experiments.export.graph.GraphWriter.integer;

import io.hwnas.core.quant.ActivationRange;
import io.hwnas.experiments.export.graph.GraphWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;

/**
 * Rewrites a float ONNX model (batch norms folded) into a mixed-precision QDQ model (opset {@value #OPSET} where it
 * holds INT4 or UINT4 tensors, else {@value #PLAIN_OPSET}): per
 * MAC layer, its weights as DequantizeLinear over int8 (8 bits, and binary weights as {-1, +1}) or INT4 (4 and 2
 * bits) per-output-channel initialisers, a float16 initialiser with a Cast (16 bits) or float (32), and its input
 * through a QuantizeLinear/DequantizeLinear pair of its own (uint8 for 8 bits; for 4 and 2 bits uint8 after a
 * Clip to the 16 or 4 levels, or UINT4 for 4 bits where asked; 16 and 32 bits stay float). Biases stay float, as the convention keeps the folded bias. Every value is the convention's
 * ({@link Precision}), so ONNX Runtime computes what the simulated-quantisation reference computes.
 */
public final class MixedQdqRewriter {

    /** The ONNX operator set of models with INT4 or UINT4 tensors (QuantizeLinear and DequantizeLinear need 21). */
    public static final int OPSET = 21;
    /** The ONNX IR version of opset 21. */
    public static final int IR_VERSION = 10;
    /** The operator set and IR version of models without 4-bit tensors: the float export's. */
    public static final int PLAIN_OPSET = 17;
    private static final int PLAIN_IR_VERSION = 8;
    private static final int FLOAT16 = 10;
    private static final int UINT4 = 21;
    private static final int INT4 = 22;
    private static final String ORT = "1.29";

    /**
     * One MAC layer's quantisation.
     *
     * @param layer          the IR layer name (its Conv/Gemm node reads the initialiser {@code layer.weight})
     * @param weightBits     1, 2, 4, 8, 16 or 32
     * @param activationBits 2, 4, 8, 16 or 32
     * @param range          the range of the layer's input; may be null when {@code activationBits} is 16 or 32
     */
    public record LayerPlan(String layer, int weightBits, int activationBits, ActivationRange range) {
    }

    /**
     * How one layer was written.
     *
     * @param layer      the IR layer name
     * @param weights    the weights' storage, e.g. {@code int4 DequantizeLinear (per channel)}
     * @param activation the input's storage, e.g. {@code uint8 QDQ}
     * @param fallback   what was written wider than asked, and why; empty when nothing
     */
    public record Written(String layer, String weights, String activation, String fallback) {
    }

    /**
     * The rewritten model.
     *
     * @param model  the QDQ model
     * @param layers per MAC layer, in plan order
     */
    public record Result(ModelProto model, List<Written> layers) {
    }

    private final boolean int4Weights;
    private final boolean uint4Activations;

    /**
     * @param int4Weights      store 4- and 2-bit weights as INT4 (otherwise int8, reported as a fallback)
     * @param uint4Activations quantise 4-bit activations to UINT4 (otherwise uint8 clipped to 16 levels, the same
     *                         values, reported as a fallback: ONNX Runtime 1.29's Clip/QuantizeLinear fusion fails
     *                         on a UINT4 zero point)
     */
    public MixedQdqRewriter(boolean int4Weights, boolean uint4Activations) {
        this.int4Weights = int4Weights;
        this.uint4Activations = uint4Activations;
    }

    /**
     * The QDQ model of {@code floatModel} with every planned layer quantised.
     *
     * @throws IllegalArgumentException naming a planned layer the model has no Conv/Gemm for
     */
    public Result rewrite(ModelProto floatModel, List<LayerPlan> plan) {
        GraphProto g = floatModel.getGraph();
        Map<String, TensorProto> init = new HashMap<>();
        g.getInitializerList().forEach(t -> init.put(t.getName(), t));
        Map<String, LayerPlan> byWeight = new HashMap<>();
        for (LayerPlan p : plan) {
            byWeight.put(p.layer() + ".weight", p);
        }
        GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer();
        GraphWriter gw = new GraphWriter(out);
        Set<String> replaced = new HashSet<>();
        Map<String, Written> written = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            LayerPlan p = isMac(n) ? byWeight.get(n.getInput(1)) : null;
            if (p == null) {
                out.addNode(n);
                continue;
            }
            NodeProto.Builder q = n.toBuilder();
            String act = activation(gw, p, n.getInput(0), q);
            String wts = weights(gw, p, init.get(n.getInput(1)), q);
            if (p.weightBits() != 32) {
                replaced.add(n.getInput(1));
            }
            written.put(p.layer(), new Written(p.layer(), wts, act, fallback(p)));
            out.addNode(q);
        }
        List<Written> rows = new ArrayList<>();
        for (LayerPlan p : plan) {
            Written w = written.get(p.layer());
            if (w == null) {
                throw new IllegalArgumentException("the ONNX model has no Conv or Gemm node reading " + p.layer()
                        + ".weight");
            }
            rows.add(w);
        }
        for (TensorProto t : g.getInitializerList()) {
            if (!replaced.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        boolean four = out.getInitializerList().stream()
                .anyMatch(t -> t.getDataType() == INT4 || t.getDataType() == UINT4);
        ModelProto m = floatModel.toBuilder().setIrVersion(four ? IR_VERSION : PLAIN_IR_VERSION).clearOpsetImport()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(four ? OPSET : PLAIN_OPSET))
                .setGraph(out).build();
        return new Result(m, rows);
    }

    private static boolean isMac(NodeProto n) {
        return (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) && n.getInputCount() >= 2;
    }

    private String fallback(LayerPlan p) {
        List<String> f = new ArrayList<>();
        if (!int4Weights && (p.weightBits() == 4 || p.weightBits() == 2)) {
            f.add(p.weightBits() + "-bit weights stored as int8 (INT4 storage off)");
        }
        if (!uint4Activations && p.activationBits() == 4) {
            f.add("4-bit activations as uint8 QDQ clipped to 16 levels, the same values (ONNX Runtime "
                    + ORT + " fails to load a UINT4 QuantizeLinear after a Relu or Clip)");
        }
        return String.join("; ", f);
    }

    /** Adds the input's QDQ pair (for 4 and 8 bits) and points the node at it; returns the storage. */
    private String activation(GraphWriter gw, LayerPlan p, String x, NodeProto.Builder node) {
        int bits = p.activationBits();
        if (bits == 16) {
            return "float32 (16-bit activations are not integer-quantised)";
        }
        if (bits == 32) {
            return "float32";
        }
        boolean four = bits == 4 && uint4Activations;
        Precision.Activation a = Precision.activation(p.range().lo(), p.range().hi(), bits);
        String n = p.layer() + "/input";
        if (bits < 8 && !four) { // a Clip to the grid's ends, then uint8: exactly the values of 2 or 4 bits
            String lo = gw.floats(n + "/min", new long[0], new float[] {-a.zeroPoint() * a.scale()});
            String hi = gw.floats(n + "/max", new long[0], new float[] {(a.qmax() - a.zeroPoint()) * a.scale()});
            gw.node("Clip", n + "/clip", List.of(x, lo, hi), List.of(n + "/clipped"));
            x = n + "/clipped";
        }
        String s = gw.floats(n + "/scale", new long[0], new float[] {a.scale()});
        String z = gw.raw(n + "/zero_point", new long[0], four ? UINT4 : TensorProto.DataType.UINT8_VALUE,
                new byte[] {(byte) a.zeroPoint()});
        gw.node("QuantizeLinear", n + "/quantize", List.of(x, s, z), List.of(n + "/q"));
        gw.node("DequantizeLinear", n + "/dequantize", List.of(n + "/q", s, z), List.of(n + "/dq"));
        node.setInput(0, n + "/dq");
        return four ? "uint4 QDQ (opset 21)" : bits < 8 ? "uint8 QDQ after a Clip to the " + (a.qmax() + 1)
                + " levels of " + bits + " bits" : "uint8 QDQ";
    }

    /** Replaces the node's weight input with the stored form; returns the storage. */
    private String weights(GraphWriter gw, LayerPlan p, TensorProto w, NodeProto.Builder node) {
        int bits = p.weightBits();
        if (bits == 32) {
            return "float32";
        }
        float[] wf = GraphWriter.floats(w);
        long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int channels = (int) dims[0];
        String name = w.getName();
        Precision.Weights pw = Precision.weights(wf, channels, bits);
        if (bits == 16) {
            ByteBuffer b = ByteBuffer.allocate(wf.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : wf) {
                b.putShort(Precision.toHalf(f));
            }
            String h = gw.raw(name + "/fp16", dims, FLOAT16, b.array());
            gw.node("Cast", name + "/cast", List.of(h), List.of(name + "/f32"),
                    integer("to", TensorProto.DataType.FLOAT_VALUE));
            node.setInput(1, name + "/f32");
            return "float16 initialiser + Cast to float";
        }
        boolean int4 = int4Weights && (bits == 4 || bits == 2);
        String q;
        String z;
        if (int4) {
            q = gw.raw(name + "/q", dims, INT4, Precision.packNibbles(pw.q()));
            z = gw.raw(name + "/zero_point", new long[] {channels}, INT4, new byte[(channels + 1) / 2]);
        } else {
            byte[] b = new byte[pw.q().length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) pw.q()[i];
            }
            q = gw.bytes(name + "/q", dims, b, false);
            z = gw.bytes(name + "/zero_point", new long[] {channels}, new byte[channels], false);
        }
        String s = gw.floats(name + "/scale", new long[] {channels}, pw.scales());
        gw.node("DequantizeLinear", name + "/dequantize", List.of(q, s, z), List.of(name + "/dq"), integer("axis", 0));
        node.setInput(1, name + "/dq");
        if (bits == 1) {
            return "binary {-1,+1} x alpha_c as int8 DequantizeLinear (per channel)";
        }
        return (int4 ? "int4" : "int8") + " DequantizeLinear (per channel" + (bits == 2 ? ", ternary" : "") + ")";
    }
}
