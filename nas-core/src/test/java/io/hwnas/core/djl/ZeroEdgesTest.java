package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A training pass leaves out {@code zero} layers read only by sums with another input: its logits and every
 * parameter's gradient equal, bit for bit, those of the pass that computes each zero as x * 0 and adds it
 * ({@link NetworkBlock#forwardLayers}, which proxies use because they read every layer's output).
 */
class ZeroEdgesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "'|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|', 30",
        "'|none~0|+|nor_conv_1x1~0|none~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|', 30",
        "'|none~0|+|none~0|none~1|+|none~0|none~1|none~2|', 0"})
    void aTrainingPassSkipsZerosWithTheSameLogitsAndGradients(String arch, int skipped) {
        SearchSpace space = SearchSpaces.get("nb201");
        Network net = space.network(space.parse(arch), new Shape(3, 16, 16), 10);
        boolean[] zeros = net.zerosReadOnlyBySums();
        int n = 0;
        for (int i = 0; i < zeros.length; i++) {
            if (zeros[i]) {
                n++;
                assertEquals(LayerKind.ZERO, net.layers().get(i).kind());
            }
        }
        assertEquals(skipped, n, "zero layers skipped");
        Autograd.exclusive(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, 4);
                NDArray x = m.randomNormal(DjlNetworks.inputShape(net, 4));
                ParameterStore store = new ParameterStore(m, false);
                Pass skipping = pass(block, x, (b, in) -> b.forward(store, new NDList(in), true).singletonOrThrow());
                Pass computing = pass(block, x, (b, in) -> {
                    NDArray[] all = b.forwardLayers(store, in, true, null);
                    return all[all.length - 1];
                });
                assertArrayEquals(computing.logits(), skipping.logits(), arch);
                assertEquals(computing.gradients().size(), skipping.gradients().size());
                for (int i = 0; i < computing.gradients().size(); i++) {
                    assertArrayEquals(computing.gradients().get(i), skipping.gradients().get(i), arch + " #" + i);
                }
            }
            return null;
        });
    }

    private record Pass(float[] logits, List<float[]> gradients) {
    }

    private static Pass pass(NetworkBlock block, NDArray x, BiFunction<NetworkBlock, NDArray, NDArray> forward) {
        float[] logits;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.zeroGradients();
            NDArray y = forward.apply(block, x);
            logits = y.toFloatArray();
            gc.backward(y.mul(y).sum());
        }
        List<float[]> grads = new ArrayList<>();
        for (Parameter p : block.trainable()) {
            if (p.getArray().hasGradient()) {
                grads.add(p.getArray().getGradient().toFloatArray());
            }
        }
        return new Pass(logits, grads);
    }
}
