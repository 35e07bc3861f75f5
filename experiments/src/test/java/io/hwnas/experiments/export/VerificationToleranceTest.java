package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.SplittableRandom;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

/**
 * The float verification's verdict is relative to the output scale, or to the DJL network's own float32 error where
 * that is larger.
 */
class VerificationToleranceTest {

    @Test
    void relativeToTheLargestOutput() {
        // the fbnet network of issue 14 before the channels-last fix: 39,315 on outputs of 76,266
        Verification wrong = new Verification(8, 39315.49, 76266.09, 0.5);
        assertEquals(0.5155, wrong.relativeDiff(), 1e-4);
        assertFalse(wrong.withinTolerance());
        // and after it: 0.094 on outputs of 83,901 (1.1e-6)
        Verification right = new Verification(8, 0.09375, 83901.48, 0.5);
        assertTrue(right.withinTolerance());
        assertFalse(new Verification(8, 2e-4, 1, 0.5).withinTolerance());
        assertTrue(new Verification(8, 0.5e-4, 1, 0.5).withinTolerance());
        assertFalse(new Verification(8, Double.POSITIVE_INFINITY, 1, 0.5).withinTolerance(), "NaN outputs");
    }

    @Test
    void upToTenTimesTheDjlNetworksOwnFloat32ErrorWhereThatIsLarger() {
        // the fine-tuned MobileNet member of the supernet test: 9.8e-4 of its output, DJL's own error measured
        assertTrue(new Verification(8, 0.0079, 8.08, 0.5, 0.0012).withinTolerance());
        assertEquals(0.012, new Verification(8, 0.0079, 8.08, 0.5, 0.0012).tolerance(), 1e-12);
        assertFalse(new Verification(8, 0.0079, 8.08, 0.5).withinTolerance(), "without the float64 reference");
        assertFalse(new Verification(8, 0.02, 8.08, 0.5, 0.0012).withinTolerance());
        // a tiny float32 error leaves the floor of 1e-4 of the output
        assertEquals(8.08e-4, new Verification(8, 0.0079, 8.08, 0.5, 1e-7).tolerance(), 1e-12);
    }

    /**
     * A model whose convolution weights are 1% off fails although the float64 reference runs: the DJL network's own
     * float32 error is measured (about 1e-7 of its output here) and does not widen the tolerance.
     */
    @Test
    void aModelWithWrongWeightsFailsAfterTheFloat64Reference() {
        SearchSpace space = SearchSpaces.get("nb201");
        Network net = space.network(space.parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+"
                + "|nor_conv_3x3~0|none~1|skip_connect~2|"), new io.hwnas.core.ir.Shape(3, 16, 16), 10);
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, 2);
            OnnxExporterTest.perturbBatchNorms(block, new SplittableRandom(5));
            BatchNormStatistics.calibrate(block, Verification.gaussian(new SplittableRandom(6),
                    32 * net.inputShape().elements()), DjlNetworks.inputShape(net, 32).getShape());
            ModelProto model = OnnxExporter.folding().export(block, Map.of());
            Verification right = Verification.of(model.toByteArray(), block, 7, 8, 1);
            assertTrue(right.withinTolerance(), right.toString());
            assertTrue(Double.isNaN(right.float32Error()), "no float64 reference needed: " + right);
            Verification wrong = Verification.of(scaledConvWeights(model, 1.01f).toByteArray(), block, 7, 8, 1);
            assertFalse(wrong.withinTolerance(), wrong.toString());
            assertTrue(wrong.float32Error() < 1e-5 * wrong.maxAbsOutput(), wrong.toString());
            assertTrue(wrong.relativeDiff() > 1e-3, wrong.toString());
        }
    }

    /** The model with every convolution weight scaled by {@code factor}. */
    private static ModelProto scaledConvWeights(ModelProto model, float factor) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (!t.getName().endsWith("conv.weight")) {
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer out = ByteBuffer.allocate(b.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                out.putFloat(b.getFloat() * factor);
            }
            g.setInitializer(i, t.toBuilder().setRawData(com.google.protobuf.ByteString.copyFrom(out.array())));
        }
        return model.toBuilder().setGraph(g).build();
    }
}
