package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.build.DjlModels;
import io.hwnas.core.build.NetworkBlock;
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
            NetworkBlock block = DjlModels.initialized(net(), m, DataType.FLOAT32, 4);
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

            // the accuracy fallback: an unreachable target keeps the most sensitive layers in float, up to the cap
            Int8Quantizer.Quantized fb = Int8Quantizer.quantizeReporting(f, cal, calShape,
                    Int8Quantizer.Options.defaults().withFallback(1.0, 2));
            Int8Quantizer.Quantized none = Int8Quantizer.quantizeReporting(f, cal, calShape,
                    Int8Quantizer.Options.defaults());
            assertTrue(none.fallback().isEmpty());
            assertEquals(7, quantised(none.model()).size());
            if (none.calibrationAgreement() < 1.0) {
                int kept = fb.fallback().size();
                assertTrue(kept == 2 || kept == 1 && fb.calibrationAgreement() == 1.0, fb.fallback().toString());
                assertEquals(7 - kept, quantised(fb.model()).size());
                assertTrue(fb.calibrationAgreement() > none.calibrationAgreement(), fb.calibrationAgreement() + " vs "
                        + none.calibrationAgreement());
                assertTrue(fb.options().floatNodes().containsAll(fb.fallback()));
                assertTrue(java.util.Collections.disjoint(quantised(fb.model()), fb.fallback()));
            } else {
                assertTrue(fb.fallback().isEmpty(), "the target is already met");
            }
            String fbMeta = fb.model().getMetadataPropsList().stream()
                    .filter(p -> p.getKey().equals("hwnas.quantization")).findFirst().orElseThrow().getValue();
            assertTrue(fbMeta.contains("float fallback to 1.000") && fbMeta.contains("calibration samples"), fbMeta);
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
