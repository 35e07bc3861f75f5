package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frozen inference pass (batch norms folded, zero edges skipped, shared activations, in-place sums) computes
 * what the block's own inference pass computes: on every layer kind, and on sampled networks of each space whose
 * batch norms carry non-trivial running statistics, in both layouts; and it follows the weights it was frozen with.
 */
class FrozenInferenceTest {

    private static final int BATCH = 4;
    private static final double TOLERANCE = 1e-4;

    @Test
    void everyLayerKindFreezesToTheSameFunction() {
        for (Map.Entry<String, Network> e : Float32LayoutTest.layerNetworks().entrySet()) {
            compare(e.getKey(), e.getValue(), true);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nb201", "fbnet", "mobilenet"})
    void sampledNetworksFreezeToTheSameLogits(String spaceName) {
        List<Network> nets = Float32LayoutTest.sampled(spaceName, 5, 3);
        for (int i = 0; i < nets.size(); i++) {
            compare(spaceName + " #" + i + " channels-last", nets.get(i), true);
            compare(spaceName + " #" + i + " contiguous", nets.get(i), false);
        }
    }

    /** A cell whose zero edges, shared ReLUs and one-input sums are all rewritten. */
    @Test
    void aCellWithZeroEdgesAndSharedInputsFreezesToTheSameLogits() {
        SearchSpace nb201 = SearchSpaces.get("nb201");
        Network net = nb201.network(nb201.parse(
                "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"));
        assertTrue(net.layers().stream().anyMatch(l -> l.kind() == LayerKind.ZERO));
        compare("nb201 cell with zeros", net, true);
        // node 3 = skip(0) + zero(1) + zero(2): nodes 1 and 2 are read only through zeros and never computed;
        // node 1 = zero(0) read by a convolution runs
        for (String dead : List.of("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|",
                "|none~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|")) {
            Network d = nb201.network(nb201.parse(dead));
            boolean[] computed = d.computedLayers();
            assertTrue(d.layers().stream().anyMatch(l -> !computed[l.id()]), dead);
            compare(dead, d, true);
        }
    }

    @Test
    void theFrozenPassKeepsTheWeightsItWasFrozenWith() {
        NetworkBuilder b = new NetworkBuilder(new Shape(16, 8, 8));
        b.batchNorm("bn", b.conv("c", 0, 8, 3, 1, 1, 1, false));
        Network net = b.build();
        OneThread.exclusive(3, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, BATCH);
                randomiseRunningStatistics(block, new SplittableRandom(1));
                NDArray x = m.randomNormal(DjlNetworks.inputShape(net, BATCH));
                try (FrozenInference before = FrozenInference.of(block)) {
                    float[] old = reference(block, x, m);
                    block.trainable().get(0).getArray().muli(2);
                    float[] changed = reference(block, x, m);
                    assertClose(old, frozen(before, x, m), "frozen before the change");
                    try (FrozenInference after = FrozenInference.of(block)) {
                        assertClose(changed, frozen(after, x, m), "frozen after the change");
                    }
                }
            }
            return null;
        });
    }

    @Test
    void aBlockWithAMacHookIsRefused() {
        Network net = Float32LayoutTest.layerNetworks().get("conv3x3 16->112");
        OneThread.exclusive(3, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, BATCH);
                block.macHook(new MacHook() {
                    @Override
                    public NDArray input(Layer layer, NDArray x, boolean training) {
                        return x;
                    }

                    @Override
                    public NDArray weight(Layer layer, NDArray w, boolean training) {
                        return w;
                    }
                });
                assertThrows(IllegalArgumentException.class, () -> FrozenInference.of(block));
            }
            return null;
        });
    }

    private static void compare(String what, Network net, boolean channelsLast) {
        OneThread.exclusive(7, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, BATCH).channelsLast(channelsLast);
                randomiseRunningStatistics(block, new SplittableRandom(what.hashCode()));
                NDArray x = m.randomNormal(DjlNetworks.inputShape(net, BATCH));
                float[] want = reference(block, x, m);
                try (FrozenInference f = FrozenInference.of(block)) {
                    assertClose(want, frozen(f, x, m), what);
                    assertClose(want, frozen(f, x, m), what + ", second pass");
                }
                assertClose(want, reference(block, x, m), what + ": the block itself is unchanged");
            }
            return null;
        });
    }

    /** Running means in [-1, 1], variances in [0.25, 4], gammas in [-2, 2]: folding then changes every weight. */
    private static void randomiseRunningStatistics(NetworkBlock block, SplittableRandom rng) {
        for (var p : block.getParameters()) {
            Parameter v = p.getValue();
            String name = p.getKey();
            NDArray a = v.getArray();
            double[] range = name.endsWith("runningVar") ? new double[] {0.25, 4}
                    : name.endsWith("runningMean") || name.endsWith("beta") ? new double[] {-1, 1}
                    : name.endsWith("gamma") ? new double[] {-2, 2} : null;
            if (range == null) {
                continue;
            }
            float[] values = new float[(int) a.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) rng.nextDouble(range[0], range[1]);
            }
            a.set(values);
        }
    }

    private static float[] reference(NetworkBlock block, NDArray x, NDManager m) {
        return Autograd.withoutGradients(() -> {
            try (NDManager step = m.newSubManager()) {
                NDArray in = x.duplicate();
                in.attach(step);
                return block.forward(new ParameterStore(step, false), new NDList(in), false).singletonOrThrow()
                        .toFloatArray();
            }
        });
    }

    private static float[] frozen(FrozenInference f, NDArray x, NDManager m) {
        try (NDManager step = m.newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(step);
            float[] out = f.forward(in).toFloatArray();
            assertTrue(!in.isReleased(), "the caller's input stays open");
            return out;
        }
    }

    private static void assertClose(float[] want, float[] got, String what) {
        double relative = Float32LayoutTest.relativeDifference(want, got, what);
        assertTrue(relative <= TOLERANCE, what + ": the frozen pass differs by " + relative + " of the largest value");
    }
}
