package io.hwnas.experiments.export.int8;

import io.hwnas.experiments.export.graph.OnnxNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

/** Which Conv/Gemm nodes and which activation tensors of a float graph the options quantise. */
final class QdqTargets {

    /** Operators whose activation inputs and outputs are quantised when {@link Int8Options#allTensors()} is set. */
    static final Set<String> QUANTIZABLE = Set.of("Add", "Mul", "GlobalAveragePool", "AveragePool", "Sigmoid",
            "Concat");
    /** Operators that move values without computing: their output takes their input's quantisation parameters. */
    static final Set<String> PASS_THROUGH = Set.of("Flatten", "Reshape", "Transpose", "Identity", "MaxPool");

    private QdqTargets() {
    }

    /** The graph's initialisers by name. */
    static Map<String, TensorProto> initializers(GraphProto g) {
        Map<String, TensorProto> init = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            init.put(t.getName(), t);
        }
        return init;
    }

    /** The names of the Conv and Gemm nodes the options quantise (constant weights, non-constant input). */
    static Set<String> quantizedNodes(GraphProto g, Map<String, TensorProto> init, Int8Options options) {
        Map<String, NodeProto> producer = new HashMap<>();
        Map<String, List<NodeProto>> consumers = consumers(g);
        for (NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                producer.put(o, n);
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (isWeighted(n, init) && !keptFloat(n, options, producer, consumers)) {
                out.add(n.getName());
            }
        }
        return out;
    }

    /** Whether the options keep a weighted node in float. */
    private static boolean keptFloat(NodeProto n, Int8Options options, Map<String, NodeProto> producer,
            Map<String, List<NodeProto>> consumers) {
        if (options.floatNodes().contains(n.getName())) {
            return true;
        }
        boolean conv = n.getOpType().equals("Conv");
        if (options.floatFirstConv() && conv && n.getInput(0).equals(OnnxNames.INPUT)) {
            return true;
        }
        if (options.floatLastGemm() && n.getOpType().equals("Gemm") && n.getOutputList().contains(OnnxNames.OUTPUT)) {
            return true;
        }
        return options.floatSqueezeExcite() && conv && squeezeExcite(n, producer, consumers);
    }

    private static Map<String, List<NodeProto>> consumers(GraphProto g) {
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String i : n.getInputList()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        return consumers;
    }

    /** A 1x1 conv of a squeeze-excite path: reads a GlobalAveragePool (via nothing else) or feeds a Sigmoid. */
    private static boolean squeezeExcite(NodeProto n, Map<String, NodeProto> producer,
            Map<String, List<NodeProto>> consumers) {
        NodeProto p = producer.get(n.getInput(0));
        if (p != null && p.getOpType().equals("GlobalAveragePool")) {
            return consumers.getOrDefault(n.getOutput(0), List.of()).stream()
                    .anyMatch(c -> c.getOpType().equals("Relu") || c.getOpType().equals("Sigmoid"));
        }
        return consumers.getOrDefault(n.getOutput(0), List.of()).stream()
                .anyMatch(c -> c.getOpType().equals("Sigmoid"));
    }

    /**
     * The activation tensors that get a QuantizeLinear/DequantizeLinear pair, with their channel counts (for
     * bias correction; 1 where unknown): the inputs of the quantised Conv/Gemm nodes, and with
     * {@link Int8Options#allTensors()} also the activation inputs and outputs of the other quantised operators
     * ({@link #QUANTIZABLE}) and the outputs of the quantised Conv/Gemm nodes, taken after a Relu or Clip that
     * alone reads them (so that ONNX Runtime folds the activation into the integer kernel).
     */
    static Map<String, Integer> quantizedTensors(GraphProto g, Map<String, TensorProto> init, Set<String> quantized,
            Int8Options options) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Map<String, List<NodeProto>> consumers = consumers(g);
        Set<String> graphOutputs = new HashSet<>();
        g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        for (NodeProto n : g.getNodeList()) {
            boolean conv = quantized.contains(n.getName());
            boolean other = options.allTensors() && QUANTIZABLE.contains(n.getOpType())
                    && n.getInputList().stream().noneMatch(init::containsKey);
            if (!conv && !other) {
                continue;
            }
            if (conv) {
                out.merge(n.getInput(0), inputChannels(n, init.get(n.getInput(1))), Math::max);
            } else {
                for (String i : n.getInputList()) {
                    out.putIfAbsent(i, 1);
                }
            }
            if (options.allTensors()) {
                addOutputs(n, consumers, graphOutputs, out);
            }
        }
        out.keySet().removeAll(options.floatTensors());
        return out;
    }

    /** A node's outputs (after a Relu or Clip that alone reads one) that are not graph outputs. */
    private static void addOutputs(NodeProto n, Map<String, List<NodeProto>> consumers, Set<String> graphOutputs,
            Map<String, Integer> out) {
        for (String o : n.getOutputList()) {
            List<NodeProto> c = consumers.getOrDefault(o, List.of());
            String t = o;
            if (c.size() == 1 && (c.get(0).getOpType().equals("Relu") || c.get(0).getOpType().equals("Clip"))) {
                t = c.get(0).getOutput(0);
            }
            if (!graphOutputs.contains(t)) {
                out.putIfAbsent(t, 1);
            }
        }
    }

    /** A Conv's group count (1 for other nodes). */
    static int group(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("group")) {
                return (int) a.getI();
            }
        }
        return 1;
    }

    /** The channels of a Conv's input (weight dimension 1 times the groups) or a Gemm's (weight dimension 1). */
    private static int inputChannels(NodeProto n, TensorProto w) {
        return (int) w.getDims(1) * (n.getOpType().equals("Conv") ? group(n) : 1);
    }

    /** A Conv or Gemm with constant weights and a non-constant input. */
    static boolean isWeighted(NodeProto n, Map<String, TensorProto> init) {
        return (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) && n.getInputCount() >= 2
                && init.containsKey(n.getInput(1)) && !init.containsKey(n.getInput(0));
    }

    static int countWeighted(GraphProto g, Map<String, TensorProto> init) {
        int c = 0;
        for (NodeProto n : g.getNodeList()) {
            c += isWeighted(n, init) ? 1 : 0;
        }
        return c;
    }
}
