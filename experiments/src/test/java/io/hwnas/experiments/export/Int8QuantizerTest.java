package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/** The int8 quantiser's ranges, scales and node selection, and a small quantised net against its float DJL network. */
class Int8QuantizerTest {

    @Test
    void percentileRangeIgnoresARareOutlierThatMinMaxKeeps() {
        float[] v = new float[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 1000 / 1000f; // uniform on [0, 1)
        }
        v[1234] = 100f;
        Int8Quantizer.Range minMax = Int8Quantizer.Range.of(0, 100f);
        Int8Quantizer.Range p = Int8Quantizer.percentileRange(v, 99.99);
        assertEquals(0, p.zeroPoint());
        assertTrue(p.max() > 0.99f && p.max() < 1.01f, "percentile range max " + p.max());
        float[] inliers = java.util.Arrays.copyOf(v, 1000);
        assertTrue(Int8Quantizer.quantisationError(inliers, p) < Int8Quantizer.quantisationError(inliers, minMax) / 100);
        Int8Quantizer.Range signed = Int8Quantizer.percentileRange(new float[] {-2f, -1f, 0f, 1f, 2f}, 100);
        assertEquals(-2f, signed.min(), 0.02f);
        assertEquals(2f, signed.max(), 0.02f);
    }

    @Test
    void mseRangeIsNoWorseThanMinMaxAndClipsAHeavyTail() {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[50_000];
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * (i % 500 == 0 ? 20 : 1));
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
        }
        Int8Quantizer.Range mse = Int8Quantizer.mseRange(v, min, max);
        double eMse = Int8Quantizer.quantisationError(v, mse);
        assertTrue(eMse <= Int8Quantizer.quantisationError(v, Int8Quantizer.Range.of(min, max)));
        assertTrue(mse.max() - mse.min() < max - min, "mse range " + mse + " vs [" + min + ", " + max + "]");
    }

    @Test
    void weightScalesArePerChannelMaxAbsAndWidenWhereTheBiasWouldOverflowInt32() {
        float[] w = {0.5f, -1.27f, 0.1f, 1e-9f, -2e-9f, 0f};
        float[] bias = {0.3f, 50f};
        float[] s = Int8Quantizer.weightScales(w, 2, bias, 1e-3f);
        assertEquals(0.01f, s[0], 1e-7f);
        // channel 1: max |w| / 127 would put the bias at 50 / (1e-3 * 1.6e-11) >> 2^31
        float[] bs = new float[2];
        int[] bq = Int8Quantizer.quantizeBias(bias, 1e-3f, s, bs);
        assertTrue(Math.abs(bq[1]) < Integer.MAX_VALUE);
        assertEquals(50f, bq[1] * bs[1], 1e-3f);
        assertEquals(0.3f, bq[0] * bs[0], 1e-5f);
        byte[] q = Int8Quantizer.quantizePerChannelWith(w, 2, s);
        assertEquals(-127, q[1]);
        assertEquals(50, q[0]);
        assertEquals(0, q[4]); // a weight far below the widened scale rounds to zero
        assertThrows(IllegalArgumentException.class,
                () -> Int8Quantizer.Options.defaults().withMethod(Int8Quantizer.RangeMethod.PERCENTILE, 40));
        assertThrows(IllegalArgumentException.class, () -> Int8Quantizer.RangeMethod.parse("entropy"));
    }

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

    @Test
    void foldedAndQuantisedSmallNetStaysCloseToTheFloatNetwork() {
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(net(), m, DataType.FLOAT32, 4);
            Shape in = block.network().inputShape();
            float[] cal = Verification.gaussian(new SplittableRandom(5), 128 * in.elements());
            long[] calShape = {128, in.channels(), in.height(), in.width()};
            BatchNormStatistics.calibrate(block, cal, calShape);
            ModelProto f = OnnxExporter.folding().export(block, Map.of());
            assertTrue(f.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("BatchNormalization")));
            float[] x = Verification.gaussian(new SplittableRandom(6), 64 * in.elements());
            long[] shape = {64, in.channels(), in.height(), in.width()};
            float[] ref = Verification.djl(block, x, shape);
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (float v : ref) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double range = max - min;
            Map<String, Double> diffs = new HashMap<>();
            for (Int8Quantizer.RangeMethod method : Int8Quantizer.RangeMethod.values()) {
                Int8Quantizer.Options o = Int8Quantizer.Options.defaults().withMethod(method, 99.99);
                ModelProto q = Int8Quantizer.quantize(f, cal, calShape, o);
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
            Int8Quantizer.Options keep = Int8Quantizer.Options.defaults().withFloatFirstConv(true)
                    .withFloatLastGemm(true).withFloatSqueezeExcite(true);
            ModelProto q = Int8Quantizer.quantize(f, cal, calShape, keep);
            assertEquals(Set.of("exp.conv", "dw.conv", "proj.conv"), quantised(q));
            String meta = q.getMetadataPropsList().stream().filter(p -> p.getKey().equals("hwnas.quantization"))
                    .findFirst().orElseThrow().getValue();
            assertTrue(meta.contains("first conv, classifier gemm, squeeze-excite convs") && meta.contains("3 of 7"), meta);
            assertFalse(keep.describe().contains("minmax"), keep.describe());

            // the accuracy fallback: an unreachable target keeps the most sensitive layers or tensors in float, up to
            // the cap
            Int8Quantizer.Quantized fb = Int8Quantizer.quantizeReporting(f, cal, calShape,
                    Int8Quantizer.Options.defaults().withFallback(1.0, 2));
            Int8Quantizer.Quantized none = Int8Quantizer.quantizeReporting(f, cal, calShape,
                    Int8Quantizer.Options.defaults());
            assertTrue(none.fallback().isEmpty());
            assertEquals(7, quantised(none.model()).size());
            if (none.calibrationAgreement() < 1.0) {
                int kept = fb.fallback().size();
                assertTrue(kept == 2 || kept == 1 && fb.calibrationAgreement() == 1.0, fb.fallback().toString());
                // the fallback keeps Conv/Gemm nodes (by name) or activation tensors ("tensor NAME") in float
                List<String> nodes = fb.fallback().stream().filter(n -> !n.startsWith("tensor ")).toList();
                List<String> tensors = fb.fallback().stream().filter(n -> n.startsWith("tensor "))
                        .map(n -> n.substring("tensor ".length())).toList();
                assertEquals(7 - nodes.size(), quantised(fb.model()).size());
                assertTrue(fb.options().floatNodes().containsAll(nodes));
                assertTrue(fb.options().floatTensors().containsAll(tensors));
                assertTrue(java.util.Collections.disjoint(quantised(fb.model()), nodes));
                for (String t : tensors) {
                    assertTrue(fb.model().getGraph().getNodeList().stream().noneMatch(n -> n.getOpType()
                            .equals("QuantizeLinear") && n.getInput(0).equals(t)), t + " is still quantised");
                }
            } else {
                assertTrue(fb.fallback().isEmpty(), "the target is already met");
            }
            String fbMeta = fb.model().getMetadataPropsList().stream()
                    .filter(p -> p.getKey().equals("hwnas.quantization")).findFirst().orElseThrow().getValue();
            assertTrue(fbMeta.contains("float fallback to 1.000") && fbMeta.contains("calibration samples"), fbMeta);
        }
    }

    @Test
    void everyTensorQuantisedIsFusedByOnnxRuntimeIntoIntegerKernels() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(net(), m, DataType.FLOAT32, 4);
            Shape in = block.network().inputShape();
            float[] cal = Verification.gaussian(new SplittableRandom(5), 64 * in.elements());
            long[] calShape = {64, in.channels(), in.height(), in.width()};
            BatchNormStatistics.calibrate(block, cal, calShape);
            ModelProto f = OnnxExporter.folding().export(block, Map.of());
            ModelProto all = Int8Quantizer.quantize(f, cal, calShape, Int8Quantizer.Options.defaults());
            ModelProto inputs = Int8Quantizer.quantize(f, cal, calShape,
                    Int8Quantizer.Options.defaults().withAllTensors(false));
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
            float[] x = Verification.gaussian(new SplittableRandom(6), 16 * in.elements());
            long[] shape = {16, in.channels(), in.height(), in.width()};
            float[] ref = Verification.djl(block, x, shape);
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
