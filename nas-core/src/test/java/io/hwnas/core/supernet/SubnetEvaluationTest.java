package io.hwnas.core.supernet;

import io.hwnas.core.djl.OneThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SubnetEvaluationTest {

    private static final io.hwnas.core.ir.Shape IMAGE = new io.hwnas.core.ir.Shape(3, 32, 32);
    private static NDManager manager;
    private static MobilenetSupernet supernet;
    private static ImageDataset.Split data;
    private static List<Architecture> subnets;

    /** A seeded, perturbed tiny supernet (32 x 32, width 0.25) and 96 + 40 synthetic images of 10 classes. */
    @BeforeAll
    static void supernet() {
        manager = NDManager.newBaseManager();
        supernet = OneThread.exclusive(21, () -> {
            MobilenetSupernet s = MobilenetSupernet.create(SupernetFixtures.spec(), manager);
            SupernetFixtures.perturb(s, 22);
            return s;
        });
        DataSplits splits = SyntheticImages.splits(96, 40, IMAGE, 10, 23);
        data = new ImageDataset.Split(splits.train(), splits.test());
        SupernetSpec spec = supernet.spec();
        SplittableRandom random = new SplittableRandom(24);
        subnets = List.of(spec.largest(), spec.smallest(), spec.sample(random), spec.sample(random));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static SubnetEvaluation evaluation(long seed) {
        return SubnetEvaluation.builder(supernet, data).bnBatches(3).bnBatchSize(16).validationImages(40)
                .evalBatch(16).seed(seed).build();
    }

    /**
     * The stem's batch norm (input: the stem convolution of the images) and a stage-2 one (input: a layer after
     * batch-normalised layers) hold the exact mean and population variance of their input over the calibration
     * images, computed here directly in double; the supernet's own statistics are left as they were.
     */
    @Test
    void recalibratedStatisticsAreTheExactMomentsOfTheLayerInput() {
        SubnetEvaluation e = evaluation(5);
        Architecture subnet = subnets.get(2);
        List<float[]> before = parameters();
        OneThread.run(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock calibrated = e.calibrated(subnet, m);
                List<Layer> norms = calibrated.network().layers().stream()
                        .filter(l -> l.kind() == LayerKind.BATCH_NORM).toList();
                Layer deep = norms.stream().filter(l -> l.name().startsWith("stage2")).reduce((a, b) -> b).orElseThrow();
                for (Layer norm : List.of(norms.get(0), deep)) {
                    double[][] want = directMoments(subnet, norm, e.calibrationIndices(), m);
                    var p = ElasticWeights.params(calibrated.layerBlock(norm.id()));
                    assertClose(want[0], p.get("runningMean").getArray().toFloatArray(), norm.name() + " mean");
                    assertClose(want[1], p.get("runningVar").getArray().toFloatArray(), norm.name() + " variance");
                    float[] old = ElasticWeights.params(supernet.weights().layerBlock(
                            supernet.weights().network().layer(norm.name()).id())).get("runningVar").getArray()
                            .toFloatArray();
                    assertTrue(Math.abs(old[0] - want[1][0]) > 1e-3, "the supernet's statistics were already right");
                }
                return null;
            }
        });
        assertParametersEqual(before, parameters());
    }

    /**
     * The layer's input over all calibration images, batch by batch through a separately extracted copy in
     * training mode (contiguous layout) with gradients off, reduced per channel in double by two passes.
     */
    private static double[][] directMoments(Architecture subnet, Layer norm, int[] indices, NDManager m) {
        ImageBatcher batcher = ImageBatcher.fitted(data.train(), IMAGE);
        int channels = norm.input().channels();
        List<List<Double>> values = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            values.add(new ArrayList<>());
        }
        Autograd.withoutGradients(() -> {
            NetworkBlock copy = supernet.extract(subnet, m).channelsLast(false);
            for (int from = 0; from < indices.length; from += 16) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.create(batcher.fill(data.train(), indices, from, from + 16), new Shape(16, 3, 32, 32));
                    NDArray in = copy.forwardLayers(new ai.djl.training.ParameterStore(step, false), x, true, null)[
                            norm.inputs().get(0)];
                    float[] v = in.transpose(1, 0, 2, 3).toFloatArray();
                    int per = v.length / channels;
                    for (int k = 0; k < v.length; k++) {
                        values.get(k / per).add((double) v[k]);
                    }
                }
            }
            return null;
        });
        double[][] out = new double[2][channels];
        for (int c = 0; c < channels; c++) {
            double[] v = values.get(c).stream().mapToDouble(Double::doubleValue).toArray();
            out[0][c] = new org.apache.commons.math3.stat.descriptive.moment.Mean().evaluate(v);
            out[1][c] = new org.apache.commons.math3.stat.descriptive.moment.Variance(false).evaluate(v);
        }
        return out;
    }

    private static void assertClose(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        double diff = 0;
        for (int c = 0; c < want.length; c++) {
            scale = Math.max(scale, Math.abs(want[c]));
            diff = Math.max(diff, Math.abs(want[c] - got[c]));
        }
        assertTrue(diff <= 1e-5 * scale, what + ": max difference " + diff + " of " + scale);
    }

    private static List<float[]> parameters() {
        List<float[]> out = new ArrayList<>();
        for (var pair : supernet.getParameters()) {
            out.add(pair.getValue().getArray().toFloatArray());
        }
        return out;
    }

    private static void assertParametersEqual(List<float[]> want, List<float[]> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i), got.get(i), "supernet parameter " + i + " changed");
        }
    }

    /** Two evaluations built from the same inputs agree bit for bit; another calibration seed does not. */
    @Test
    void theSameInputsGiveTheSameTop1BitForBit() {
        List<SubnetEvaluation.Result> a = OneThread.run(() -> evaluateAll(evaluation(7), subnets));
        List<SubnetEvaluation.Result> b = OneThread.run(() -> evaluateAll(evaluation(7), subnets));
        List<SubnetEvaluation.Result> other = OneThread.run(() -> evaluateAll(evaluation(8), subnets.subList(0, 1)));
        for (int i = 0; i < subnets.size(); i++) {
            assertEquals(a.get(i).top1(), b.get(i).top1(), subnets.get(i).canonical());
            assertEquals(a.get(i).loss(), b.get(i).loss(), subnets.get(i).canonical());
            assertEquals(48, a.get(i).calibrationImages());
            assertEquals(40, a.get(i).validationImages());
            assertTrue(a.get(i).seconds() > 0);
        }
        assertNotEquals(a.get(0).loss(), other.get(0).loss(), "the calibration seed changed nothing");
    }

    private static List<SubnetEvaluation.Result> evaluateAll(SubnetEvaluation e, List<Architecture> archs) {
        List<SubnetEvaluation.Result> out = new ArrayList<>();
        for (Architecture a : archs) {
            out.add(e.evaluate(a));
        }
        return out;
    }

    /** Two threads evaluating different subnets at once get what one thread gets evaluating them in turn. */
    @Test
    void twoThreadsAtOnceGiveTheSequentialResults() throws Exception {
        SubnetEvaluation e = evaluation(9);
        List<float[]> before = parameters();
        List<SubnetEvaluation.Result> sequential = OneThread.run(() -> evaluateAll(e, subnets));
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Function<List<Architecture>, Future<List<SubnetEvaluation.Result>>> submit = part -> pool.submit(() -> {
                start.await();
                return OneThread.run(() -> evaluateAll(e, part));
            });
            var first = submit.apply(List.of(subnets.get(0), subnets.get(2)));
            var second = submit.apply(List.of(subnets.get(1), subnets.get(3)));
            List<SubnetEvaluation.Result> concurrent = List.of(first.get().get(0), second.get().get(0),
                    first.get().get(1), second.get().get(1));
            for (int i = 0; i < subnets.size(); i++) {
                assertEquals(sequential.get(i).subnet(), concurrent.get(i).subnet());
                assertEquals(sequential.get(i).top1(), concurrent.get(i).top1(), subnets.get(i).canonical());
                assertEquals(sequential.get(i).loss(), concurrent.get(i).loss(), subnets.get(i).canonical());
            }
        } finally {
            pool.shutdownNow();
        }
        assertParametersEqual(before, parameters());
    }

    /** A subnet with a kernel the supernet does not serve is refused, naming the subnet and the kernel. */
    @Test
    void aSubnetOutsideTheElasticRangeIsRefusedByName() {
        SupernetSpec narrow = SupernetFixtures.spec().withElastic(List.of(3, 5), List.of(3, 4, 6));
        Architecture outside = narrow.space().parse("r32-w0.25|k7e6,k3e3|k5e4se,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3");
        try (NDManager m = NDManager.newBaseManager()) {
            MobilenetSupernet small = OneThread.exclusive(25, () -> MobilenetSupernet.create(narrow, m));
            SubnetEvaluation e = SubnetEvaluation.builder(small, data).bnBatches(1).bnBatchSize(8).validationImages(8)
                    .build();
            for (var call : List.<Runnable>of(() -> e.evaluate(outside), () -> e.calibrated(outside, m))) {
                IllegalArgumentException x = assertThrows(IllegalArgumentException.class, call::run);
                assertTrue(x.getMessage().contains(outside.canonical()), x.getMessage());
                assertTrue(x.getMessage().contains("stage 0 layer 0 kernel 7"), x.getMessage());
            }
        }
    }

    /** Extraction starts from zeros: it draws nothing from DJL's seeded generator. */
    @Test
    void extractionDrawsNothingFromTheEnginesGenerator() {
        float[][] draws = new float[2][];
        for (int run = 0; run < 2; run++) {
            boolean extract = run == 1;
            draws[run] = OneThread.exclusive(26, () -> {
                try (NDManager m = NDManager.newBaseManager()) {
                    if (extract) {
                        supernet.extract(subnets.get(3), m);
                    }
                    return m.randomUniform(0, 1, new Shape(8)).toFloatArray();
                }
            });
        }
        assertArrayEquals(draws[0], draws[1]);
    }
}
