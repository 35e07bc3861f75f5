package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each layer kind alone behind a stem, exported and run in ONNX Runtime against DJL. */
class OnnxOpsTest {

    @org.junit.jupiter.api.Test
    void paddedAveragePoolExcludesPaddingAsTheDjlNetworkNowDoes() {
        // nas-core's NetworkBlock divides by the pixels inside the image (count_include_pad=False)
        org.junit.jupiter.api.Assertions.assertFalse(DjlSemantics.avgPoolCountsPadding());
    }

    static Network net(String op) {
        NetworkBuilder b = new NetworkBuilder(new Shape(4, 8, 8));
        int x = b.conv("stem", b.input(), 8, 3, 1, 1, 1, true);
        int y = switch (op) {
            case "conv_groups" -> b.conv("op", x, 8, 3, 2, 1, 2, false);
            case "conv_bn" -> b.batchNorm("op.bn", b.conv("op", x, 8, 3, 1, 1, 1, false));
            case "bn" -> b.batchNorm("op", x);
            case "relu6" -> b.activation("op", LayerKind.RELU6, x);
            case "hswish" -> b.activation("op", LayerKind.HSWISH, x);
            case "sigmoid" -> b.activation("op", LayerKind.SIGMOID, x);
            case "add3" -> b.add("op", List.of(x, b.relu("r", x), b.zero("z", x)));
            case "concat" -> b.concat("op", List.of(x, b.relu("r", x)));
            case "avg_pool" -> b.avgPool("op", x, 3, 1, 1);
            case "avg_pool_s2" -> b.avgPool("op", x, 2, 2, 0);
            case "max_pool" -> b.maxPool("op", x, 3, 2, 1);
            case "shuffle" -> b.channelShuffle("op", x, 2);
            case "se" -> b.squeezeExcite("op", x, 4);
            case "zero" -> b.zero("op", x);
            case "identity" -> b.identity("op", x);
            case "linear_mid" -> b.linear("op2", b.linear("op", b.globalAvgPool("gap", x), 6, true), 3, false);
            default -> throw new IllegalArgumentException(op);
        };
        int p = b.globalAvgPool("pool", y);
        b.linear("fc", p, 5, true);
        return b.build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv_groups", "conv_bn", "bn", "relu6", "hswish", "sigmoid", "add3", "concat", "avg_pool",
            "avg_pool_s2", "max_pool", "shuffle", "se", "zero", "identity", "linear_mid"})
    void opMatchesDjl(String op) {
        check(op, net(op), Function.identity());
    }

    static void check(String op, Network n, Function<Network, Network> unused) {
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(n, m, DataType.FLOAT32, 2);
            OnnxExporterTest.perturbBatchNorms(block, new SplittableRandom(1));
            for (boolean fold : new boolean[] {true, false}) {
                byte[] bytes = new OnnxExporter(fold).export(block, Map.of()).toByteArray();
                Verification v = Verification.of(bytes, block, 7, 3, 1);
                assertTrue(v.maxAbsDiff() <= 1e-5, op + " fold=" + fold + ": max abs diff " + v.maxAbsDiff());
            }
        }
    }
}
