package io.hwnas.core.quant;

import io.hwnas.core.djl.OneThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.MacHook;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.WeightInheritance;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressedSpaces;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fake quantisation of whole networks: no change without it, exact float at 32/32, error growing as bits shrink. */
class FakeQuantisationTest {

    static final Shape INPUT = new Shape(1, 32, 32);

    /** mobilenet at 32 x 32, width 0.5, with every bit width and 0 or 50% pruning. */
    static CompressedSpace space() {
        return (CompressedSpace) CompressedSpaces.get("mobilenet", Map.of("resolutions", List.of(32), "widths",
                List.of(0.5), "compression", Map.of("bits", List.of(2, 4, 8, 16, 32), "activation_bits",
                        List.of(4, 8, 16, 32), "prune", List.of(0, 0.5), "binary", true)));
    }

    /** The smallest base architecture with every MAC layer at {@code wb/ab} and every group pruned {@code prune}%. */
    static Architecture arch(CompressedSpace cs, int wb, int ab, int prune) {
        int base = cs.base().choices().length;
        int[] v = new int[cs.choices().length];
        List<String> pos = cs.positions();
        for (int i = base; i < v.length; i++) {
            String p = pos.get(i);
            v[i] = p.endsWith("wbits") ? cs.compression().weightBits().indexOf(wb) : p.endsWith("abits")
                    ? cs.compression().activationBits().indexOf(ab) : cs.compression().prune().indexOf(prune);
        }
        return cs.decode(v);
    }

    private static float[] forward(NetworkBlock b, NDArray x) {
        return b.forward(new ParameterStore(x.getManager(), false), new NDList(x), false).singletonOrThrow()
                .toFloatArray();
    }

    /** Outputs of the float network and of the compressed copy with its weights, fake-quantised (ranges from x). */
    private static float[][] floatAndQuantised(CompressedSpace cs, Architecture a, NDManager m, NDArray x) {
        Network floatNet = cs.base().network(cs.baseArchitecture(a), INPUT, 10);
        NetworkBlock f = DjlNetworks.initialized(floatNet, m, DataType.FLOAT32, 4);
        NetworkBlock q = DjlNetworks.initialized(cs.network(a, INPUT, 10), m, DataType.FLOAT32, 4);
        WeightInheritance.inherit(f, q);
        FakeQuantisation fq = FakeQuantisation.install(q, true).observe(true);
        forward(q, x);
        fq.observe(false);
        return new float[][] {forward(f, x), forward(q, x)};
    }

    private static double relativeError(float[][] yy) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < yy[0].length; i++) {
            num += (yy[0][i] - yy[1][i]) * (double) (yy[0][i] - yy[1][i]);
            den += yy[0][i] * (double) yy[0][i];
        }
        return Math.sqrt(num / den);
    }

    @Test
    void withoutQuantisationTheForwardIsUnchangedBitForBit() {
        CompressedSpace cs = space();
        Architecture a = arch(cs, 32, 32, 0);
        OneThread.exclusive(3, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock b = DjlNetworks.initialized(cs.network(a, INPUT, 10), m, DataType.FLOAT32, 4);
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(4, 1, 32, 32));
                float[] before = forward(b, x);
                b.macHook(new MacHook() {
                    @Override
                    public NDArray input(Layer layer, NDArray in, boolean training) {
                        return in;
                    }

                    @Override
                    public NDArray weight(Layer layer, NDArray w, boolean training) {
                        return w;
                    }
                });
                assertArrayEquals(before, forward(b, x), "an identity hook changes nothing");
                FakeQuantisation.install(b, true).observe(true);
                assertArrayEquals(before, forward(b, x), "32/32: calibration forward is float");
                b.macHook(null);
                assertArrayEquals(before, forward(b, x), "hook removed");
                return null;
            }
        });
    }

    @Test
    void fullPrecisionCompressionGivesExactlyTheFloatOutputs() {
        CompressedSpace cs = space();
        OneThread.exclusive(4, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(4, 1, 32, 32));
                float[][] yy = floatAndQuantised(cs, arch(cs, 32, 32, 0), m, x);
                assertArrayEquals(yy[0], yy[1]);
                return null;
            }
        });
    }

    @Test
    void fewerBitsGiveLargerErrors() {
        CompressedSpace cs = space();
        double[] err = OneThread.exclusive(5, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(4, 1, 32, 32));
                int[][] bits = {{16, 32}, {8, 32}, {4, 32}, {2, 32}, {32, 16}, {32, 8}, {32, 4}};
                double[] e = new double[bits.length];
                for (int k = 0; k < bits.length; k++) {
                    m.getEngine().setRandomSeed(7);
                    e[k] = relativeError(floatAndQuantised(cs, arch(cs, bits[k][0], bits[k][1], 0), m, x));
                }
                return e;
            }
        });
        System.out.printf("relative output error: w16 %.2e, w8 %.2e, w4 %.2e, w2 %.2e; a16 %.2e, a8 %.2e, a4 %.2e%n",
                err[0], err[1], err[2], err[3], err[4], err[5], err[6]);
        assertTrue(err[0] < err[1] && err[1] < err[2] && err[2] < err[3], java.util.Arrays.toString(err));
        assertEquals(0, err[4], "16-bit activations stay float");
        assertTrue(err[5] > 0 && err[5] < err[6], java.util.Arrays.toString(err));
    }

    @Test
    void forwardsLeaveNothingInTheNetworksManager() {
        CompressedSpace cs = space();
        int[] grown = OneThread.exclusive(6, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                Architecture a = arch(cs, 4, 8, 50);
                NetworkBlock q = DjlNetworks.initialized(cs.network(a, INPUT, 10), m, DataType.FLOAT32, 4);
                FakeQuantisation fq = FakeQuantisation.install(q, true).observe(true);
                try (NDManager step = m.newSubManager()) {
                    forward(q, step.randomNormal(new ai.djl.ndarray.types.Shape(4, 1, 32, 32)));
                }
                fq.observe(false);
                int[] g = new int[2];
                for (boolean training : new boolean[] {true, false}) {
                    int before = m.getManagedArrays().size();
                    for (int k = 0; k < 3; k++) {
                        try (NDManager step = m.newSubManager()) {
                            NDArray x = step.randomNormal(new ai.djl.ndarray.types.Shape(4, 1, 32, 32));
                            q.forward(new ParameterStore(step, false), new NDList(x), training).singletonOrThrow()
                                    .toFloatArray();
                        }
                    }
                    g[training ? 0 : 1] = m.getManagedArrays().size() - before;
                }
                return g;
            }
        });
        // the quantised weights (and the folded batch-norm scales) are computed per forward: in the step's manager
        assertArrayEquals(new int[] {0, 0}, grown, "arrays left in the network's manager by 3 training and 3 "
                + "inference forwards");
    }

    @Test
    void rangesFileRoundTrips(@TempDir Path dir) {
        Map<String, ActivationRange> r = new java.util.LinkedHashMap<>();
        r.put("stem.conv", new ActivationRange(-2.5, 3.25));
        r.put("head.classifier", new ActivationRange(0, 7));
        Path f = dir.resolve("ranges.json");
        RangesFile.write(f, r);
        assertEquals(r, RangesFile.read(f));
        assertTrue(assertThrowsMessage(() -> RangesFile.read(dir.resolve("none.json"))).contains("none.json"));
    }

    @Test
    void aRangesFileWithAKeyTwiceOrTextAfterItIsRefusedNamingTheLine(@TempDir Path dir) throws Exception {
        Path twice = dir.resolve("twice.json");
        java.nio.file.Files.writeString(twice, "{\"format\": \"" + RangesFile.FORMAT + "\",\n \"layers\": {\n"
                + "  \"stem.conv\": {\"lo\": -1, \"hi\": 2},\n  \"stem.conv\": {\"lo\": 0, \"hi\": 9}}}\n");
        String dup = assertThrowsMessage(() -> RangesFile.read(twice));
        assertTrue(dup.startsWith(twice + ": not a valid ranges file at line 4: duplicate key 'stem.conv'"), dup);
        Path trailing = dir.resolve("trailing.json");
        java.nio.file.Files.writeString(trailing, "{\"format\": \"" + RangesFile.FORMAT + "\", \"layers\": {}}\n{}\n");
        String more = assertThrowsMessage(() -> RangesFile.read(trailing));
        assertTrue(more.contains("content after the ranges file's JSON object is not allowed"), more);
    }

    private static String assertThrowsMessage(org.junit.jupiter.api.function.Executable e) {
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e).getMessage();
    }

    /** The layers with MACs, for tests of the estimator. */
    static List<String> macLayers(Network n) {
        return n.layers().stream().filter(l -> l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR)
                .map(Layer::name).toList();
    }
}
