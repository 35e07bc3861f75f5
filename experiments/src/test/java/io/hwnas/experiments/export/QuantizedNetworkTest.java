package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.experiments.export.graph.OrtModel;
import io.hwnas.experiments.export.int8.Int8Options;
import io.hwnas.experiments.export.int8.Int8Quantizer;
import io.hwnas.experiments.export.int8.RangeMethod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/** A small net folded, int8-quantised (node selection, fallback, fused kernels) and run against its float DJL network. */
class QuantizedNetworkTest {

    static Network net() {
        NetworkBuilder b = new NetworkBuilder(new Shape(3, 12, 12));
        int x = b.conv("stem.conv", b.input(), 8, 3, 1, 1, 1, false);
        x = b.activation("stem.act", LayerKind.RELU6, b.batchNorm("stem.bn", x));
        int y = b.conv("exp.conv", x, 16, 1, 1, 0, 1, false);
        y = b.activation("exp.act", LayerKind.RELU6, b.batchNorm("exp.bn", y));
        y = b.conv("dw.conv", y, 16, 3, 1, 1, 16, false);
        y = b.activation("dw.act", LayerKind.HSWISH, b.batchNorm("dw.bn", y));
        y = b.squeezeExcite("se", y, 4);
        y = b.batchNorm("proj.bn", b.conv("proj.conv", y, 8, 1, 1, 0, 1, false));
        x = b.add("add", List.of(x, y));
        b.linear("fc", b.globalAvgPool("pool", x), 5, true);
        return b.build();
    }

    /** The net with batch-norm statistics from a seeded calibration batch, and its folded float ONNX model. */
    private record Folded(NetworkBlock block, Shape in, float[] cal, long[] calShape, ModelProto f) {

        static Folded of(NDManager m, int calibrationSamples) {
            NetworkBlock block = DjlNetworks.initialized(net(), m, DataType.FLOAT32, 4);
            Shape in = block.network().inputShape();
            float[] cal = Verification.gaussian(new SplittableRandom(5), calibrationSamples * in.elements());
            long[] calShape = {calibrationSamples, in.channels(), in.height(), in.width()};
            BatchNormStatistics.calibrate(block, cal, calShape);
            return new Folded(block, in, cal, calShape, OnnxExporter.folding().export(block, Map.of()));
        }

        ModelProto quantize(Int8Options o) {
            return Int8Quantizer.quantize(f, cal, calShape, o);
        }

        Int8Quantizer.Quantized quantizeReporting(Int8Options o) {
            return Int8Quantizer.quantizeReporting(f, cal, calShape, o);
        }
    }

    @Test
    void foldedAndQuantisedSmallNetStaysCloseToTheFloatNetwork() {
        try (NDManager m = NDManager.newBaseManager()) {
            Folded n = Folded.of(m, 128);
            assertTrue(n.f().getGraph().getNodeList().stream().noneMatch(x -> x.getOpType().equals("BatchNormalization")));
            everyRangeMethodStaysWithinTheInt8Tolerance(n);
            keptLayersStayFloat(n);
            theFallbackKeepsTheMostSensitiveLayersOrTensorsInFloat(n);
        }
    }

    private static void everyRangeMethodStaysWithinTheInt8Tolerance(Folded n) {
        float[] x = Verification.gaussian(new SplittableRandom(6), 64 * n.in().elements());
        long[] shape = {64, n.in().channels(), n.in().height(), n.in().width()};
        float[] ref = Verification.djl(n.block(), x, shape);
        double range = range(ref);
        Map<String, Double> diffs = new HashMap<>();
        for (RangeMethod method : RangeMethod.values()) {
            Int8Options o = Int8Options.builder().method(method).percentile(99.99).build();
            ModelProto q = n.quantize(o);
            try (OrtModel ort = new OrtModel(q.toByteArray(), 1)) {
                double d = Verification.maxAbsDiff(ref, ort.run(x, shape));
                diffs.put(method.name(), d);
                // the stated int8 tolerance: 10% of the float outputs' range (the float export alone is within 1e-5)
                assertTrue(d <= ModelExporter.Int8Check.TOLERANCE * range, method + ": max abs diff " + d
                        + " with an output range of " + range);
                assertTrue(d > 1e-6, method + ": the int8 model computes exactly the float one");
            }
            assertEquals(7, quantised(q).size(), method + ": " + quantised(q));
        }
    }

    private static void keptLayersStayFloat(Folded n) {
        Int8Options keep = Int8Options.builder().floatFirstConv(true).floatLastGemm(true).floatSqueezeExcite(true)
                .build();
        ModelProto q = n.quantize(keep);
        assertEquals(Set.of("exp.conv", "dw.conv", "proj.conv"), quantised(q));
        String meta = quantizationMetadata(q);
        assertTrue(meta.contains("first conv, classifier gemm, squeeze-excite convs") && meta.contains("3 of 7"), meta);
        assertFalse(keep.describe().contains("minmax"), keep.describe());
    }

    /** An unreachable target keeps the most sensitive layers or tensors in float, up to the cap. */
    private static void theFallbackKeepsTheMostSensitiveLayersOrTensorsInFloat(Folded n) {
        Int8Quantizer.Quantized fb = n.quantizeReporting(Int8Options.builder().targetAgreement(1.0).maxFallback(2)
                .build());
        Int8Quantizer.Quantized none = n.quantizeReporting(Int8Options.defaults());
        assertTrue(none.fallback().isEmpty());
        assertEquals(7, quantised(none.model()).size());
        if (none.calibrationAgreement() < 1.0) {
            int kept = fb.fallback().size();
            assertTrue(kept == 2 || kept == 1 && fb.calibrationAgreement() == 1.0, fb.fallback().toString());
            // the fallback keeps Conv/Gemm nodes (by name) or activation tensors ("tensor NAME") in float
            List<String> nodes = fb.fallback().stream().filter(x -> !x.startsWith("tensor ")).toList();
            List<String> tensors = fb.fallback().stream().filter(x -> x.startsWith("tensor "))
                    .map(x -> x.substring("tensor ".length())).toList();
            assertEquals(7 - nodes.size(), quantised(fb.model()).size());
            assertTrue(fb.options().floatNodes().containsAll(nodes));
            assertTrue(fb.options().floatTensors().containsAll(tensors));
            assertTrue(java.util.Collections.disjoint(quantised(fb.model()), nodes));
            for (String t : tensors) {
                assertTrue(fb.model().getGraph().getNodeList().stream().noneMatch(x -> x.getOpType()
                        .equals("QuantizeLinear") && x.getInput(0).equals(t)), t + " is still quantised");
            }
        } else {
            assertTrue(fb.fallback().isEmpty(), "the target is already met");
        }
        String fbMeta = quantizationMetadata(fb.model());
        assertTrue(fbMeta.contains("float fallback to 1.000") && fbMeta.contains("calibration samples"), fbMeta);
    }

    private static String quantizationMetadata(ModelProto q) {
        return q.getMetadataPropsList().stream().filter(p -> p.getKey().equals("hwnas.quantization"))
                .findFirst().orElseThrow().getValue();
    }

    @Test
    void everyTensorQuantisedIsFusedByOnnxRuntimeIntoIntegerKernels() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Folded n = Folded.of(m, 64);
            ModelProto all = n.quantize(Int8Options.defaults());
            ModelProto inputs = n.quantize(Int8Options.builder().allTensors(false).build());
            // every activation tensor: the Add's output and both its inputs are quantised; conv-inputs: none of them
            assertTrue(quantisedTensors(all).containsAll(Set.of("add", "proj.bn", "stem.act")), quantisedTensors(all).toString());
            assertFalse(quantisedTensors(inputs).contains("add") || quantisedTensors(inputs).contains("proj.bn"),
                    quantisedTensors(inputs).toString());
            Map<String, Integer> fused = optimisedOps(all);
            Map<String, Integer> unfused = optimisedOps(inputs);
            // all 7 Conv/Gemm nodes run as integer kernels (the Relu6 Clips folded into the QuantizeLinear before them)
            assertEquals(6, fused.getOrDefault("QLinearConv", 0), fused.toString());
            assertEquals(1, fused.getOrDefault("QGemm", 0), fused.toString());
            assertEquals(1, fused.getOrDefault("QLinearAdd", 0), fused.toString());
            assertFalse(fused.containsKey("Conv") || fused.containsKey("FusedConv") || fused.containsKey("Clip"),
                    fused.toString());
            assertTrue(unfused.getOrDefault("Conv", 0) + unfused.getOrDefault("FusedConv", 0) > 0, unfused.toString());
            Shape in = n.in();
            float[] x = Verification.gaussian(new SplittableRandom(6), 16 * in.elements());
            long[] shape = {16, in.channels(), in.height(), in.width()};
            float[] ref = Verification.djl(n.block(), x, shape);
            try (OrtModel opt = new OrtModel(all.toByteArray(), 1); OrtModel plain = new OrtModel(all.toByteArray(), 1, false)) {
                float[] y = opt.run(x, shape);
                // ONNX Runtime's integer kernels compute what the QDQ graph states (up to requantisation rounding)
                assertTrue(Verification.maxAbsDiff(y, plain.run(x, shape)) < 0.05 * range(ref), "fused vs QDQ");
                assertTrue(Verification.maxAbsDiff(y, ref) <= ModelExporter.Int8Check.TOLERANCE * range(ref));
            }
        }
    }

    private static double range(float[] v) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        return max - min;
    }

    /** The tensors read by a QuantizeLinear node. */
    private static Set<String> quantisedTensors(ModelProto q) {
        Set<String> out = new java.util.TreeSet<>();
        for (NodeProto n : q.getGraph().getNodeList()) {
            if (n.getOpType().equals("QuantizeLinear")) {
                out.add(n.getInput(0));
            }
        }
        return out;
    }

    /** Operator counts of the graph ONNX Runtime runs after its optimisations (level all). */
    private static Map<String, Integer> optimisedOps(ModelProto model) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("hwnas-ort-optimised", ".onnx");
        try {
            ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
            try (ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions()) {
                o.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.ALL_OPT);
                o.setIntraOpNumThreads(1);
                o.setOptimizedModelFilePath(file.toString());
                env.createSession(model.toByteArray(), o).close();
            }
            Map<String, Integer> ops = new java.util.TreeMap<>();
            for (NodeProto n : ModelProto.parseFrom(java.nio.file.Files.readAllBytes(file)).getGraph().getNodeList()) {
                ops.merge(n.getOpType(), 1, Integer::sum);
            }
            return ops;
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** Names of the Conv/Gemm nodes whose weights are dequantised int8. */
    private static Set<String> quantised(ModelProto q) {
        Map<String, TensorProto> init = new HashMap<>();
        for (TensorProto t : q.getGraph().getInitializerList()) {
            init.put(t.getName(), t);
        }
        Set<String> out = new java.util.TreeSet<>();
        for (NodeProto n : q.getGraph().getNodeList()) {
            if ((n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) && n.getInput(1).endsWith("/dq")) {
                out.add(n.getName());
            }
        }
        return out;
    }
}
