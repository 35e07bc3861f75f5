package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The float32 path the product runs (channels-last activations) against the contiguous layout, on
 * this machine's libtorch and CPU: forward outputs, input gradients and every weight gradient of each
 * layer kind, and the logits of whole sampled networks. {@link MemoryFormatTest} checks the same in
 * float64, where no layout-specific kernel runs; float32 is where oneDNN picks CPU-specific kernels
 * (its channels-last 1x1 convolution gave results off by their own size on AVX-512 EPYC machines).
 */
class Float32LayoutTest {

    private static final int BATCH = 8;
    /** Relative to the largest magnitude; float32 reordering stays near 1e-6. */
    private static final double TOLERANCE = 1e-4;

    /** One network per layer kind (and per convolution variant), each on a 16x8x8 input. */
    static Map<String, Network> layerNetworks() {
        Map<String, Network> nets = new LinkedHashMap<>();
        for (int out : new int[] {16, 40, 48, 80, 100, 112, 176}) {
            nets.put("conv1x1 16->" + out, single(b -> b.conv("c", 0, out, 1, 1, 0, 1, false)));
        }
        nets.put("conv1x1 64->112 bias", single(new Shape(64, 8, 8), b -> b.conv("c", 0, 112, 1, 1, 0, 1, true)));
        nets.put("conv3x3 16->112", single(b -> b.conv("c", 0, 112, 3, 1, 1, 1, false)));
        nets.put("conv3x3 stride 2", single(b -> b.conv("c", 0, 40, 3, 2, 1, 1, false)));
        nets.put("conv1x1 stride 2", single(b -> b.conv("c", 0, 112, 1, 2, 0, 1, false)));
        nets.put("grouped conv g=2", single(b -> b.conv("c", 0, 48, 3, 1, 1, 2, false)));
        nets.put("grouped 1x1 g=4", single(b -> b.conv("c", 0, 112, 1, 1, 0, 4, false)));
        for (int k : new int[] {3, 5, 7}) {
            nets.put("depthwise " + k + "x" + k, single(b -> b.conv("c", 0, 16, k, 1, k / 2, 16, false)));
            nets.put("depthwise " + k + "x" + k + " stride 2", single(b -> b.conv("c", 0, 16, k, 2, k / 2, 16, false)));
        }
        nets.put("depthwise 112", single(new Shape(112, 8, 8), b -> b.conv("c", 0, 112, 3, 1, 1, 112, false)));
        // 1x1 pixels: both layouts alike, given channels-last strides by NetworkBlock (a faster backward path)
        nets.put("depthwise 3x3 on 1x1 pixels", single(new Shape(48, 1, 1), b -> b.conv("c", 0, 48, 3, 1, 1, 48, false)));
        nets.put("conv1x1 on 1x1 pixels", single(new Shape(48, 1, 1), b -> b.conv("c", 0, 96, 1, 1, 0, 1, false)));
        // a one-channel image (Fashion-MNIST), given channels-last strides so that the layers after it run channels-last
        nets.put("conv3x3 1->16 stride 2", single(new Shape(1, 8, 8), b -> b.conv("c", 0, 16, 3, 2, 1, 1, false)));
        nets.put("batch norm", single(b -> b.batchNorm("bn", 0)));
        for (LayerKind a : List.of(LayerKind.RELU, LayerKind.RELU6, LayerKind.HSWISH, LayerKind.SIGMOID)) {
            nets.put(a.name().toLowerCase(), single(b -> b.activation("a", a, b.conv("c", 0, 16, 1, 1, 0, 1, false))));
        }
        nets.put("add", single(b -> b.add("add", List.of(0, b.conv("c", 0, 16, 3, 1, 1, 1, false)))));
        nets.put("concat", single(b -> b.concat("cat", List.of(0, b.conv("c", 0, 8, 1, 1, 0, 1, false)))));
        nets.put("avg pool", single(b -> b.avgPool("p", b.conv("c", 0, 16, 1, 1, 0, 1, false), 3, 1, 1)));
        nets.put("avg pool stride 2", single(b -> b.avgPool("p", b.conv("c", 0, 16, 1, 1, 0, 1, false), 3, 2, 1)));
        nets.put("max pool", single(b -> b.maxPool("p", b.conv("c", 0, 16, 1, 1, 0, 1, false), 3, 2, 1)));
        nets.put("global avg pool", single(b -> b.globalAvgPool("g", b.conv("c", 0, 16, 1, 1, 0, 1, false))));
        nets.put("linear", single(b -> b.linear("fc", b.conv("c", 0, 16, 1, 1, 0, 1, false), 10, true)));
        nets.put("squeeze-excite", single(b -> b.squeezeExcite("se", b.conv("c", 0, 112, 1, 1, 0, 1, false), 28)));
        nets.put("channel shuffle", single(b -> b.channelShuffle("s", b.conv("c", 0, 16, 1, 1, 0, 1, false), 4)));
        nets.put("identity", single(b -> b.identity("i", b.conv("c", 0, 16, 1, 1, 0, 1, false))));
        nets.put("zero", single(b -> b.add("add", List.of(b.zero("z", 0), b.conv("c", 0, 16, 1, 1, 0, 1, false)))));
        return nets;
    }

    private static Network single(Function<NetworkBuilder, Integer> layer) {
        return single(new Shape(16, 8, 8), layer);
    }

    private static Network single(Shape input, Function<NetworkBuilder, Integer> layer) {
        NetworkBuilder b = new NetworkBuilder(input);
        layer.apply(b);
        return b.build();
    }

    @Test
    void everyLayerKindComputesInChannelsLastWhatItComputesContiguous() {
        Map<String, Network> nets = layerNetworks();
        for (Map.Entry<String, Network> e : nets.entrySet()) {
            for (boolean training : new boolean[] {true, false}) {
                compare(e.getKey() + (training ? " (training)" : " (inference)"), e.getValue(), training, true);
            }
        }
        assertTrue(nets.size() > 30);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nb201", "fbnet", "mobilenet"})
    void sampledNetworksGiveTheSameLogitsInBothLayouts(String spaceName) {
        List<Network> nets = sampled(spaceName, 11, 2);
        for (int i = 0; i < nets.size(); i++) {
            // inference logits: the exported model, the proxies' and the supernet's evaluations
            compare(spaceName + " #" + i, nets.get(i), false, false);
        }
    }

    /** {@code n} networks sampled from a space with {@code seed} (mobilenet at 32x32, channels searched too). */
    static List<Network> sampled(String spaceName, long seed, int n) {
        SearchSpace space = SearchSpaces.get(spaceName);
        if (spaceName.equals("mobilenet")) {
            space = space.withOptions(Map.of("resolutions", List.of(32), "search_channels", true));
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<Network> nets = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            nets.add(space.network(space.sample(rng)));
        }
        return nets;
    }

    /** The check's figures for the shape found wrong here, cached per shape; float64 always agrees. */
    @Test
    void theCheckNamesItsFigures() {
        ConvLayoutCheck.Key key = new ConvLayoutCheck.Key(DataType.FLOAT32, BATCH, 64, 112, 8, 8, 1, 1, 0, 1, false,
                DjlRuntime.threads());
        ConvLayoutCheck.Result r = ConvLayoutCheck.check(key);
        System.out.printf("channels-last 1x1 conv 64->112 at 8x8, batch %d: relative output difference %.2g -> %s%n",
                BATCH, r.output(), r.agrees() ? "channels-last" : "contiguous fallback");
        assertEquals(r, ConvLayoutCheck.check(key), "cached per shape");
        ConvLayoutCheck.Key f64 = new ConvLayoutCheck.Key(DataType.FLOAT64, BATCH, 64, 112, 8, 8, 1, 1, 0, 1, false,
                DjlRuntime.threads());
        assertTrue(ConvLayoutCheck.check(f64).agrees(), "float64 runs no layout-specific kernel");
    }

    private static void compare(String what, Network net, boolean training, boolean gradients) {
        Autograd.exclusive(3, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, BATCH);
                NDArray x = m.randomNormal(DjlNetworks.inputShape(net, BATCH));
                Run plain = run(block.channelsLast(false), x, training, gradients, m);
                Run last = run(block.channelsLast(true), x, training, gradients, m);
                assertClose(plain.values[0], last.values[0], what + " output");
                for (int i = 1; i < plain.values.length; i++) {
                    assertClose(plain.values[i], last.values[i], what + (i == 1 ? " input gradient"
                            : " gradient of " + block.trainable().get(i - 2).getName()));
                }
            }
            return null;
        });
    }

    private record Run(float[][] values) {
    }

    private static Run run(NetworkBlock block, NDArray x, boolean training, boolean gradients, NDManager m) {
        List<Parameter> params = block.trainable();
        try (NDManager step = m.newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(step);
            if (!gradients) {
                NDArray y = block.forward(new ParameterStore(step, false), new NDList(in), training).singletonOrThrow();
                return new Run(new float[][] {y.toFloatArray()});
            }
            in.setRequiresGradient(true);
            float[][] out = new float[2 + params.size()][];
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(step, false), new NDList(in), training).singletonOrThrow();
                out[0] = y.toFloatArray();
                // a fixed non-uniform weighting, so that every output element's gradient matters
                NDArray w = step.arange((float) y.size()).reshape(y.getShape()).sin();
                gc.backward(y.mul(w).sum());
            }
            out[1] = in.getGradient().toFloatArray();
            for (int p = 0; p < params.size(); p++) {
                NDArray g = params.get(p).getArray().getGradient();
                out[2 + p] = g.toFloatArray();
                g.subi(g);
                g.close();
            }
            return new Run(out);
        }
    }

    private static void assertClose(float[] want, float[] got, String what) {
        double relative = relativeDifference(want, got, what);
        assertTrue(relative <= TOLERANCE, what + ": channels-last differs from contiguous by " + relative
                + " of the largest magnitude");
    }

    /** The largest difference of {@code got} from {@code want}, relative to want's largest magnitude. */
    static double relativeDifference(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < want.length; i++) {
            diff = Math.max(diff, Math.abs((double) want[i] - got[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
