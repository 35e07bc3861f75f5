package io.hwnas.core.supernet;

import io.hwnas.core.djl.OneThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.NetworkBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MobilenetSupernetTest {

    /** The largest, the smallest and seeded random subnets run on the supernet as their extracted networks run. */
    @Test
    void supernetForwardOfASubnetEqualsItsExtractedNetwork() {
        SupernetSpec spec = SupernetFixtures.spec();
        List<Architecture> subnets = new ArrayList<>(List.of(spec.largest(), spec.smallest()));
        SplittableRandom random = new SplittableRandom(15);
        for (int i = 0; i < 4; i++) {
            subnets.add(spec.sample(random));
        }
        double worst = compare(spec, subnets);
        System.out.printf("supernet vs extracted, %d subnets: max relative difference %.3g%n", subnets.size(), worst);
        assertTrue(worst < 1e-4, "max relative difference " + worst);
    }

    /**
     * Channels-last (the default) and the contiguous layout compute the same. In float32 (oneDNN's kernels in both
     * layouts, forward and backward): the logits and every gradient with batch norm on its running statistics, and
     * the logits of a training pass. A training pass's float32 gradients differ by a few percent: they reach the stem
     * through batch norms over 16 images at 1x1 pixels, which amplify the layouts' different summation orders. So the
     * training pass is also run in float64 (libtorch's own kernels, the same in both layouts), where every gradient
     * that is not zero up to rounding agrees to 1e-9.
     */
    @Test
    void bothLayoutsComputeTheSameLogitsAndGradients() {
        SupernetSpec spec = SupernetFixtures.spec();
        List<Architecture> subnets = List.of(spec.largest(), spec.smallest(), spec.sample(new SplittableRandom(17)));
        for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            OneThread.exclusive(1, () -> {
                try (NDManager m = NDManager.newBaseManager()) {
                    MobilenetSupernet supernet = MobilenetSupernet.create(spec, m, type);
                    SupernetFixtures.perturb(supernet, 6);
                    for (int i = 0; i < subnets.size(); i++) {
                        NDArray x = SupernetFixtures.normal(m, new Shape(16, 3, 32, 32), 200 + i).toType(type, false);
                        for (boolean training : new boolean[] {false, true}) {
                            List<double[]> plain = pass(supernet.channelsLast(false), subnets.get(i), x, training);
                            List<double[]> cl = pass(supernet.channelsLast(true), subnets.get(i), x, training);
                            assertEquals(plain.size(), cl.size());
                            boolean f64 = type == DataType.FLOAT64;
                            double logits = relativeL2(plain.get(0), cl.get(0));
                            double worst = 0;
                            for (int p = 1; p < plain.size() && (f64 || !training); p++) {
                                if (norm(plain.get(p)) > (f64 ? 1e-9 : 1e-4) * norm(plain.get(1))) {
                                    worst = Math.max(worst, relativeL2(plain.get(p), cl.get(p)));
                                }
                            }
                            System.out.printf("%s subnet %d, training %s, channels-last vs contiguous (relative L2): "
                                    + "logits %.3g, worst gradient %.3g%n", type, i, training, logits, worst);
                            double tolerance = f64 ? 1e-9 : training ? 1e-3 : 1e-4;
                            assertTrue(logits < tolerance && worst < tolerance, type + " subnet " + i + ", training "
                                    + training + ": logits " + logits + ", gradients " + worst);
                        }
                    }
                    return null;
                }
            });
        }
    }

    /** The logits, then the gradient of every parameter, of one pass (as doubles). */
    private static List<double[]> pass(MobilenetSupernet supernet, Architecture subnet, NDArray x, boolean training) {
        List<double[]> out = new ArrayList<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.zeroGradients();
            NDArray y = supernet.forward(subnet, x, training);
            out.add(y.toType(DataType.FLOAT64, false).toDoubleArray());
            gc.backward(y.mul(y).sum());
        }
        for (Parameter p : supernet.trainable()) {
            if (p.getArray().hasGradient()) {
                out.add(p.getArray().getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
            }
        }
        return out;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static double relativeL2(double[] want, double[] got) {
        double diff = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (want[i] - got[i]) * (want[i] - got[i]);
        }
        double n = norm(want);
        return n == 0 ? Math.sqrt(diff) : Math.sqrt(diff) / n;
    }

    /** A supernet that keeps 5x5 kernels and expansion 4 serves kernel 3 through its one 5-to-3 transform. */
    @Test
    void aNarrowerSupernetServesItsOwnRange() {
        SupernetSpec spec = SupernetFixtures.spec().withElastic(List.of(3, 5), List.of(3, 4));
        SplittableRandom random = new SplittableRandom(16);
        double worst = compare(spec, List.of(spec.smallest(), spec.sample(random), spec.sample(random)));
        assertTrue(worst < 1e-4, "max relative difference " + worst);
        assertEquals(5, spec.maxKernel());
    }

    /** zero_init_residual: the batch norm that ends each residual branch gets scale 0, every other keeps 1. */
    @Test
    void zeroInitResidualZeroesTheLastBatchNormOfEachResidualBranchOnly() {
        SupernetSpec spec = SupernetFixtures.spec();
        OneThread.exclusive(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MobilenetSupernet supernet = MobilenetSupernet.create(spec, m);
                List<io.hwnas.core.ir.Layer> layers = supernet.weights().network().layers();
                long adds = layers.stream().filter(l -> l.kind() == io.hwnas.core.ir.LayerKind.ADD).count();
                assertTrue(adds > 0, "the largest subnet has residual blocks");
                assertEquals(adds, supernet.zeroInitResidual(), "one branch end per residual block");
                int zero = 0;
                for (io.hwnas.core.ir.Layer l : layers) {
                    if (l.kind() != io.hwnas.core.ir.LayerKind.BATCH_NORM) {
                        continue;
                    }
                    List<io.hwnas.core.ir.Layer> readers = layers.stream().filter(r -> r.inputs().contains(l.id()))
                            .toList();
                    boolean branchEnd = readers.size() == 1
                            && readers.get(0).kind() == io.hwnas.core.ir.LayerKind.ADD;
                    NDArray gamma = ElasticWeights.params(supernet.weights().layerBlock(l.id())).get("gamma")
                            .getArray();
                    float want = branchEnd ? 0f : 1f;
                    assertEquals(want, gamma.min().getFloat(), l.name());
                    assertEquals(want, gamma.max().getFloat(), l.name());
                    zero += branchEnd ? 1 : 0;
                }
                assertEquals(adds, zero);
                return null;
            }
        });
    }

    private static double compare(SupernetSpec spec, List<Architecture> subnets) {
        return OneThread.exclusive(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MobilenetSupernet supernet = MobilenetSupernet.create(spec, m);
                SupernetFixtures.perturb(supernet, 2);
                double worst = 0;
                for (int i = 0; i < subnets.size(); i++) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray x = SupernetFixtures.normal(step, new Shape(2, 3, 32, 32), 100 + i);
                        NDArray want = supernet.forward(subnets.get(i), x, false);
                        NetworkBlock alone = supernet.extract(subnets.get(i), step);
                        NDArray got = alone.forward(new ParameterStore(step, false), new NDList(x), false)
                                .singletonOrThrow();
                        assertEquals(want.getShape(), got.getShape());
                        worst = Math.max(worst, SupernetFixtures.relative(want, got));
                    }
                }
                return worst;
            }
        });
    }

    /** Sorting reorders hidden channels by descending importance and leaves the largest subnet's output alone. */
    @Test
    void sortingChannelsKeepsTheLargestSubnetAndPutsImportantChannelsFirst() {
        SupernetSpec spec = SupernetFixtures.spec();
        OneThread.exclusive(3, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MobilenetSupernet supernet = MobilenetSupernet.create(spec, m);
                SupernetFixtures.perturb(supernet, 4);
                NDArray x = SupernetFixtures.normal(m, new Shape(2, 3, 32, 32), 5);
                NDArray before = supernet.forward(spec.largest(), x, false);
                double[] unsorted = importance(supernet, "stage2.layer1");
                supernet.sortChannels();
                double[] sorted = importance(supernet, "stage2.layer1");
                for (int c = 1; c < sorted.length; c++) {
                    assertTrue(sorted[c - 1] >= sorted[c], "channel " + c + " of " + java.util.Arrays.toString(sorted));
                }
                assertTrue(!java.util.Arrays.equals(unsorted, sorted), "the channels were already in order");
                NDArray after = supernet.forward(spec.largest(), x, false);
                assertTrue(SupernetFixtures.relative(before, after) < 1e-5);
                return null;
            }
        });
    }

    private static double[] importance(MobilenetSupernet s, String block) {
        var layer = s.weights().network().layer(block + ".project.conv");
        return ChannelSorter.columnL1(ElasticWeights.params(s.weights().layerBlock(layer.id())).get("weight").getArray());
    }

    @Test
    void subnetsOutsideTheElasticRangeAreRefusedWithWhatTheSupernetCovers() {
        SupernetSpec spec = SupernetFixtures.spec();
        String stages = "|k7e6,k3e3|k5e4se,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3";
        Architecture otherResolution = spec.space().parse("r40-w0.25" + stages);
        Architecture otherWidth = spec.space().parse("r32-w0.5" + stages);
        Architecture inside = spec.space().parse("r32-w0.25" + stages);
        spec.check(inside);
        assertRefused(spec, otherResolution, "resolution 40");
        assertRefused(spec, otherWidth, "width 0.5");
        SupernetSpec narrow = spec.withElastic(List.of(3, 5), List.of(3, 4));
        assertRefused(narrow, inside, "stage 0 layer 0 kernel 7");
        assertRefused(narrow, inside, "stage 0 layer 0 expansion 6");
        OneThread.exclusive(6, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MobilenetSupernet supernet = MobilenetSupernet.create(narrow, m);
                NDArray x = m.zeros(new Shape(1, 3, 32, 32));
                assertThrows(IllegalArgumentException.class, () -> supernet.forward(inside, x, false));
                assertThrows(IllegalArgumentException.class, () -> supernet.extract(otherWidth, m));
                return null;
            }
        });
    }

    private static void assertRefused(SupernetSpec spec, Architecture a, String what) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec.check(a));
        assertTrue(e.getMessage().contains(a.canonical()), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertTrue(e.getMessage().contains("covers") && e.getMessage().contains("kernels " + spec.kernels()),
                e.getMessage());
    }
}
