package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightInheritanceTest {

    private static float[] forward(NetworkBlock block, NDManager m, long seed) {
        NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 3, 8, 8));
        return block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow().toFloatArray();
    }

    private static NDArray param(Block b, String name) {
        for (var p : b.getParameters()) {
            if (p.getKey().equals(name)) {
                return p.getValue().getArray();
            }
        }
        throw new AssertionError(name);
    }

    /** Zeroes channel {@code c} of a conv's filters (and the batch norm after it), so it carries nothing. */
    private static void silence(NetworkBlock n, String conv, String bn, int c) {
        NDArray w = param(n.layerBlock(id(n.network(), conv)), "weight");
        float[] v = w.toFloatArray();
        int per = v.length / (int) w.getShape().get(0);
        java.util.Arrays.fill(v, c * per, (c + 1) * per, 0f);
        w.set(FloatBuffer.wrap(v));
        Block b = n.layerBlock(id(n.network(), bn));
        for (String name : List.of("gamma", "beta", "runningMean")) {
            NDArray g = param(b, name);
            float[] gv = g.toFloatArray();
            gv[c] = 0;
            g.set(FloatBuffer.wrap(gv));
        }
    }

    private static int id(Network n, String name) {
        return n.layers().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow().id();
    }

    @Test
    void residualGroupKeepsTheSameChannelsEverywhereAndTheOutputIsUnchanged() {
        Autograd.exclusive(4, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBuilder pb = new NetworkBuilder(new Shape(3, 8, 8));
                Network pn = plain(pb, 6);
                Network cn = plain(new NetworkBuilder(new Shape(3, 8, 8)), 5);
                NetworkBlock parent = DjlNetworks.initialized(pn, m, DataType.FLOAT32, 2);
                silence(parent, "a.conv", "a.bn", 2);
                silence(parent, "b.conv", "b.bn", 2);
                NetworkBlock child = DjlNetworks.initialized(cn, m, DataType.FLOAT32, 2);
                WeightInheritance.inherit(parent, child);
                m.getEngine().setRandomSeed(9);
                float[] want = forward(parent, m, 1);
                m.getEngine().setRandomSeed(9);
                float[] got = forward(child, m, 1);
                assertArrayEquals(want, got, 1e-5f);
                return null;
            }
        });
    }

    /** The residual network without squeeze-excite (whose hidden width follows the channels). */
    private static Network plain(NetworkBuilder b, int width) {
        int a = b.batchNorm("a.bn", b.conv("a.conv", b.input(), width, 3, 1, 1, 1, false));
        int r = b.relu("a.relu", a);
        int c = b.batchNorm("b.bn", b.conv("b.conv", r, width, 3, 1, 1, 1, false));
        int s = b.relu("out.relu", b.add("add", List.of(a, c)));
        b.linear("fc", b.globalAvgPool("pool", s), 5, true);
        return b.build();
    }

    @Test
    void theSameNetworkInheritsEverything() {
        MobilenetSpace space = (MobilenetSpace) SearchSpaces.get("mobilenet", Map.of("resolutions", List.of(32),
                "widths", List.of(0.5)));
        Architecture a = space.parse("r32-w0.5|k3e6,k3e6se|k5e4,k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6");
        Network n = space.network(a, new Shape(3, 32, 32), 10);
        Autograd.exclusive(5, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock parent = DjlNetworks.initialized(n, m, DataType.FLOAT32, 2);
                NetworkBlock child = DjlNetworks.initialized(n, m, DataType.FLOAT32, 2);
                WeightInheritance.inherit(parent, child);
                m.getEngine().setRandomSeed(9);
                float[] want = forward(parent, m, 1);
                m.getEngine().setRandomSeed(9);
                assertArrayEquals(want, forward(child, m, 1), 0f);
                return null;
            }
        });
    }

    @Test
    void shrunkMobilenetKeepsTheStrongestFiltersConsistently() {
        MobilenetSpace space = (MobilenetSpace) SearchSpaces.get("mobilenet", Map.of("resolutions", List.of(32),
                "widths", List.of(0.5)));
        Architecture big = space.parse("r32-w0.5|k3e6,k3e6|k3e6se,k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6");
        Architecture small = space.parse(
                "r32-w0.5|k3e6,k3e6|k3e4se,k3e6,k3e6|k3e6@0.5,k3e6@0.5,k3e6@0.5,k3e6@0.5|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6");
        Network pn = space.network(big, new Shape(3, 32, 32), 10);
        Network cn = space.network(small, new Shape(3, 32, 32), 10);
        Autograd.exclusive(6, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock parent = DjlNetworks.initialized(pn, m, DataType.FLOAT32, 2);
                NetworkBlock child = DjlNetworks.initialized(cn, m, DataType.FLOAT32, 2);
                labelBatchNormChannels(parent);
                WeightInheritance.inherit(parent, child);
                // stage1.layer0's expansion 6 -> 4: the expand conv keeps its strongest filters, and the
                // depthwise conv and both batch norms of the hidden channels keep the same ones
                int[] keep = strongest(param(parent.layerBlock(id(pn, "stage1.layer0.expand.conv")), "weight"),
                        (int) param(child.layerBlock(id(cn, "stage1.layer0.expand.conv")), "weight").getShape().get(0));
                assertArrayEquals(keep, labels(child, "stage1.layer0.expand.bn"));
                assertArrayEquals(keep, labels(child, "stage1.layer0.dw.bn"));
                // stage 2 shrank as a residual group: every block's output keeps the same channels, the
                // strongest by the summed norms of the four project convs
                int[] group = labels(child, "stage2.layer0.project.bn");
                assertTrue(group.length == 16 && group.length < param(parent.layerBlock(id(pn,
                        "stage2.layer0.project.bn")), "gamma").size());
                for (int l = 1; l < 4; l++) {
                    assertArrayEquals(group, labels(child, "stage2.layer" + l + ".project.bn"), "stage2.layer" + l);
                }
                float[] y = forward(child, m, 1);
                for (float v : y) {
                    assertTrue(Float.isFinite(v));
                }
                return null;
            }
        });
        assertRefusesChildrenThatDoNotFit(space, pn, cn);
    }

    @Test
    void orderedGroupsKeepTheirFirstChannelsAndTheirGatesFirstUnits() {
        MobilenetSpace space = (MobilenetSpace) SearchSpaces.get("mobilenet", Map.of("resolutions", List.of(32),
                "widths", List.of(0.5)));
        Network pn = space.network(space.parse(
                "r32-w0.5|k3e6,k3e6|k3e6se,k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6"),
                new Shape(3, 32, 32), 10);
        Network cn = space.network(space.parse(
                "r32-w0.5|k3e6,k3e6|k3e4se,k3e4,k3e6|k3e6@0.5,k3e6@0.5,k3e6@0.5,k3e6@0.5|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6"),
                new Shape(3, 32, 32), 10);
        Autograd.exclusive(9, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock parent = DjlNetworks.initialized(pn, m, DataType.FLOAT32, 2);
                NetworkBlock child = DjlNetworks.initialized(cn, m, DataType.FLOAT32, 2);
                labelBatchNormChannels(parent);
                WeightInheritance.inherit(parent, child, "stage1.layer0.expand.conv"::equals);
                int kept = labels(child, "stage1.layer0.expand.bn").length;
                int[] first = java.util.stream.IntStream.range(0, kept).toArray();
                assertArrayEquals(first, labels(child, "stage1.layer0.expand.bn"));
                assertArrayEquals(first, labels(child, "stage1.layer0.dw.bn"));
                // the norms would have chosen other channels: the test can tell the two rules apart
                int[] strongest = strongest(param(parent.layerBlock(id(pn, "stage1.layer0.expand.conv")), "weight"),
                        kept);
                assertTrue(!java.util.Arrays.equals(first, strongest), java.util.Arrays.toString(strongest));
                // the squeeze-excite gate of the ordered channels keeps its first hidden units, on its first channels
                Block ps = ((SqueezeExciteBlock) parent.layerBlock(id(pn, "stage1.layer0.se"))).reduce();
                Block cs = ((SqueezeExciteBlock) child.layerBlock(id(cn, "stage1.layer0.se"))).reduce();
                long units = param(cs, "weight").getShape().get(0);
                NDArray want = param(ps, "weight").get("0:" + units + ", 0:" + kept);
                assertArrayEquals(want.toFloatArray(), param(cs, "weight").toFloatArray());
                // a group the predicate does not name is chosen by norm as before
                int[] other = strongest(param(parent.layerBlock(id(pn, "stage1.layer1.expand.conv")), "weight"),
                        labels(child, "stage1.layer1.expand.bn").length);
                assertArrayEquals(other, labels(child, "stage1.layer1.expand.bn"));
                return null;
            }
        });
    }

    /** Labels every channel of the batch norms by its index: a child's labels are then its kept channels. */
    private static void labelBatchNormChannels(NetworkBlock parent) {
        for (var l : parent.network().layers()) {
            if (l.kind() == LayerKind.BATCH_NORM) {
                NDArray g = param(parent.layerBlock(l.id()), "gamma");
                float[] v = new float[(int) g.size()];
                for (int c = 0; c < v.length; c++) {
                    v[c] = c;
                }
                g.set(FloatBuffer.wrap(v));
            }
        }
    }

    /** A wider child, and one with other layers, cannot inherit from the parent {@code pn}. */
    private static void assertRefusesChildrenThatDoNotFit(MobilenetSpace space, Network pn, Network cn) {
        assertThrows(IllegalArgumentException.class, () -> Autograd.exclusive(7, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                WeightInheritance.inherit(DjlNetworks.initialized(cn, m, DataType.FLOAT32, 2),
                        DjlNetworks.initialized(pn, m, DataType.FLOAT32, 2));
                return null;
            }
        }), "a wider child cannot inherit");
        Network other = space.network(space.parse(
                "r32-w0.5|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6"), new Shape(3, 32, 32), 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Autograd.exclusive(8, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                WeightInheritance.inherit(DjlNetworks.initialized(pn, m, DataType.FLOAT32, 2),
                        DjlNetworks.initialized(other, m, DataType.FLOAT32, 2));
                return null;
            }
        }));
        assertTrue(e.getMessage().contains("layers") || e.getMessage().contains("layer"), e.getMessage());
    }

    private static int[] strongest(NDArray w, int k) {
        float[] v = w.toFloatArray();
        int rows = (int) w.getShape().get(0);
        int per = v.length / rows;
        Integer[] order = new Integer[rows];
        double[] s = new double[rows];
        for (int r = 0; r < rows; r++) {
            order[r] = r;
            for (int j = 0; j < per; j++) {
                s[r] += (double) v[r * per + j] * v[r * per + j];
            }
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(s[y], s[x]));
        int[] keep = new int[k];
        for (int i = 0; i < k; i++) {
            keep[i] = order[i];
        }
        java.util.Arrays.sort(keep);
        return keep;
    }

    private static int[] labels(NetworkBlock child, String bn) {
        float[] v = param(child.layerBlock(id(child.network(), bn)), "gamma").toFloatArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) v[i];
        }
        return out;
    }

    @Test
    void groupsFollowResidualAdditions() {
        Network n = plain(new NetworkBuilder(new Shape(3, 8, 8)), 4);
        int[] g = io.hwnas.core.ir.ChannelGroups.of(n);
        assertTrue(g[id(n, "a.conv")] == g[id(n, "b.bn")] && g[id(n, "add")] == g[id(n, "a.conv")]);
        assertTrue(g[id(n, "a.conv")] != g[0]);
        assertTrue(n.layers().stream().noneMatch(l -> l.kind() == LayerKind.CONCAT));
    }
}
