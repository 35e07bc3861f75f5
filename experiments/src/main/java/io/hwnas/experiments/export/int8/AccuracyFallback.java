package io.hwnas.experiments.export.int8;

import io.hwnas.experiments.export.graph.Logits;
import io.hwnas.experiments.export.graph.OrtModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;

/**
 * The accuracy-driven fallback ({@link Int8Options#targetAgreement()}): while the int8 model's top-1 agreement with
 * the float model on the calibration batch is below the target, keeps the next most sensitive Conv/Gemm node or
 * activation tensor in float, as accuracy-aware tuners do.
 */
final class AccuracyFallback {

    private static final String NODE = "node:";
    private static final String TENSOR = "tensor:";

    private final QdqRewriter rewriter;
    private final GraphProto graph;
    private final Map<String, TensorProto> init;
    private final float[] x;
    private final long[] shape;
    private final float[] reference;

    /**
     * The outcome.
     *
     * @param model     the QDQ model
     * @param quantized the Conv/Gemm nodes quantised
     * @param options   the options in force, the fallback's nodes and tensors included
     * @param fallback  the nodes (by name) and tensors ({@code "tensor NAME"}) kept in float, most sensitive first
     * @param agreement top-1 agreement with the float model on the calibration batch
     */
    record Outcome(ModelProto model, Set<String> quantized, Int8Options options, List<String> fallback,
            double agreement) {
    }

    /**
     * @param x     the calibration batch
     * @param shape its shape
     */
    AccuracyFallback(QdqRewriter rewriter, ModelProto floatModel, float[] x, long[] shape) {
        this.rewriter = rewriter;
        this.graph = floatModel.getGraph();
        this.init = QdqTargets.initializers(graph);
        this.x = x;
        this.shape = shape;
        this.reference = run(floatModel);
    }

    /** The QDQ model of the nodes, with float fallback where the options ask for it and the agreement is short. */
    Outcome apply(Set<String> quantized, Int8Options options) {
        List<String> fallback = new ArrayList<>();
        ModelProto model = rewriter.rewrite(quantized, options);
        double agreement = agreement(model);
        Int8Options effective = options;
        if (options.targetAgreement() > 0 && agreement < options.targetAgreement()) {
            Set<String> remaining = new LinkedHashSet<>(quantized);
            Set<String> floatTensors = new LinkedHashSet<>(options.floatTensors());
            for (String item : bySensitivity(quantized, options)) {
                if (agreement >= options.targetAgreement() || fallback.size() >= options.maxFallback()) {
                    break;
                }
                if (item.startsWith(NODE)) {
                    remaining.remove(item.substring(NODE.length()));
                } else {
                    floatTensors.add(item.substring(TENSOR.length()));
                }
                fallback.add(item);
                effective = options.toBuilder().floatTensors(floatTensors).build();
                model = rewriter.rewrite(remaining, effective);
                agreement = agreement(model);
            }
            quantized = remaining;
        }
        Set<String> kept = new LinkedHashSet<>(options.floatNodes());
        fallback.stream().filter(f -> f.startsWith(NODE)).forEach(f -> kept.add(f.substring(NODE.length())));
        effective = effective.toBuilder().floatNodes(kept).build();
        return new Outcome(model, quantized, effective, fallback.stream().map(f -> f.startsWith(NODE)
                ? f.substring(NODE.length()) : "tensor " + f.substring(TENSOR.length())).toList(), agreement);
    }

    /**
     * The candidates, most sensitive first: each quantised Conv/Gemm (its weights, and without allTensors its input
     * too) and, with allTensors, each quantised activation tensor; sensitivity: the logits' mean squared error with
     * only that candidate quantised.
     */
    private List<String> bySensitivity(Set<String> quantized, Int8Options options) {
        Map<String, Double> sensitivity = new HashMap<>();
        for (String n : quantized) {
            ModelProto one = rewriter.rewrite(Set.of(n), options, options.allTensors() ? Set.of() : null, true);
            sensitivity.put(NODE + n, mse(run(one), reference));
        }
        if (options.allTensors()) {
            for (String t : QdqTargets.quantizedTensors(graph, init, quantized, options).keySet()) {
                ModelProto one = rewriter.rewrite(quantized, options, Set.of(t), false);
                sensitivity.put(TENSOR + t, mse(run(one), reference));
            }
        }
        List<String> order = new ArrayList<>(sensitivity.keySet());
        order.sort((a, b) -> Double.compare(sensitivity.get(b), sensitivity.get(a)));
        return order;
    }

    private float[] run(ModelProto model) {
        try (OrtModel ort = new OrtModel(model.toByteArray(), 1)) {
            return ort.run(x, shape);
        }
    }

    private double agreement(ModelProto model) {
        return Logits.agreement(run(model), reference, (int) shape[0]);
    }

    private static double mse(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s / a.length;
    }
}
