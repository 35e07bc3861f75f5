package io.hwnas.core.supernet;

import io.hwnas.core.djl.OneThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code supernet} and {@code predictor} estimators on a tiny checkpoint trained in {@link #train}. */
class SupernetEstimatorTest {

    @TempDir
    static Path dir;

    static MobilenetSpace space;
    static SupernetEstimator supernet;

    /** Three sandwich steps of a width-0.25 supernet serving kernels 3 and 5 on the synthetic dataset. */
    static int threads;

    @BeforeAll
    static void train() {
        threads = io.hwnas.core.djl.DjlRuntime.threads();
        io.hwnas.core.djl.DjlRuntime.setThreads(1); // tiny layers: one thread is faster on shared cores
        space = (MobilenetSpace) new MobilenetSpace().withOptions(Map.of("resolutions", List.of(32), "widths",
                List.of(0.25), "search_channels", true));
        SupernetSpec spec = SupernetSpec.of(space, 3, 10).withElastic(List.of(3, 5), List.of(3, 4, 6));
        ImageDataset.Split data = SupernetRun.Dataset.split("synthetic", null, 200, 7);
        SupernetRun run = new SupernetRun(spec, SupernetRun.Dataset.of("synthetic", null, data), 7,
                SupernetTrainingOptions.builder().steps(3).batch(16).learningRate(0.01).warmupSteps(1)
                        .checkpointEvery(3).validation(0, 32).threads(1).build());
        OneThread.exclusive(7, () -> SupernetTraining.train(run, data, dir, null));
        supernet = (SupernetEstimator) AccuracyEstimators.get("supernet", Map.of("checkpoint", dir.toString(),
                "bn_batches", 2, "bn_batch_size", 16, "validation_images", 64, "eval_batch", 32));
    }

    @org.junit.jupiter.api.AfterAll
    static void restore() {
        io.hwnas.core.djl.DjlRuntime.setThreads(threads);
    }

    @Test
    void sameValueFromTwoThreadsAndAgain() throws Exception {
        Architecture a = supernet.checkpoint().spec().sample(new SplittableRandom(3));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Estimate>> f = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                f.add(pool.submit(() -> supernet.estimate(space, a, 1)));
            }
            double v = f.get(0).get().value();
            assertEquals(v, f.get(1).get().value());
            assertEquals(v, supernet.estimate(space, a, 99).value(), "the per-candidate seed changes nothing");
            assertTrue(v >= 0 && v <= 100, "top-1 in percent: " + v);
            assertEquals(64.0, ((Number) f.get(0).get().details().get("validation_images")).doubleValue());
            assertTrue(f.get(0).get().details().containsKey("wall_s"));
        } finally {
            pool.shutdownNow();
        }
        assertTrue(supernet.isAccuracy());
    }

    @Test
    void aSubnetOutsideTheElasticRangeIsAnIllegalArgumentNamingIt() {
        int[] v = supernet.checkpoint().spec().largest().vectorArray();
        v[MobilenetSpace.position(1, 0, 0)] = 2; // kernel 7: the supernet serves 3 and 5
        Architecture seven = space.decode(v);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> supernet.estimate(space, seven, 0));
        assertTrue(e.getMessage().contains("stage 1 layer 0 kernel 7"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherNetworkOrSpaceNamesTheMismatch() {
        AccuracyEstimator bound = supernet.forNetwork(new Shape(3, 32, 32), 10).forSpace(space);
        assertEquals(supernet, bound);
        String channels = assertThrows(IllegalArgumentException.class,
                () -> supernet.forNetwork(new Shape(1, 28, 28), 10)).getMessage();
        assertTrue(channels.contains("input channels were 3 in the checkpoint but 1 in the config"), channels);
        String classes = assertThrows(IllegalArgumentException.class,
                () -> supernet.forNetwork(new Shape(3, 32, 32), 5)).getMessage();
        assertTrue(classes.contains("classes were 10 in the checkpoint but 5 in the config"), classes);
        var wider = space.withOptions(Map.of("resolutions", List.of(32), "widths", List.of(0.25, 0.5),
                "search_channels", true));
        String options = assertThrows(IllegalArgumentException.class, () -> supernet.forSpace(wider)).getMessage();
        assertTrue(options.contains("space option widths was [0.25] in the checkpoint but [0.25, 0.5] in the config")
                && options.contains(dir.resolve("checkpoint.json").toString()), options);
        String none = assertThrows(IllegalArgumentException.class,
                () -> new SupernetEstimator().withOptions(Map.of("bn_batches", 2))).getMessage();
        assertTrue(none.contains("option checkpoint is required"), none);
    }

    /**
     * fit-predictor's work: 8 measured subnets fitted, 4 held out; the files are written, the predictor scores a
     * candidate in well under a millisecond, refuses subnets outside the range, and is measured by the supernet.
     */
    @Test
    void aFittedPredictorScoresInMicrosecondsAndIsMeasuredByTheSupernet() {
        PredictorFitting.Result r = PredictorFitting.fit(supernet, 8, 4, 5, "mlp",
                io.hwnas.core.predictor.Mlp.Training.defaults().withEpochs(50), null);
        assertEquals(12, r.subnets().size());
        assertEquals(List.of("mlp", "ridge"), r.scores().stream().map(PredictorFitting.Score::kind).toList());
        assertTrue(Files.isRegularFile(dir.resolve(PredictorEstimator.FILE)));
        assertTrue(Files.isRegularFile(dir.resolve(PredictorFitting.SAMPLES)));
        AccuracyEstimator p = AccuracyEstimators.get("predictor", Map.of("checkpoint", dir.toString()));
        Architecture a = r.subnets().get(10);
        assertEquals(r.predictor().predict(new SubnetEncoding(supernet.checkpoint().spec()).encode(a)),
                p.estimate(space, a, 0).value(), 1e-12);
        double[] micros = new double[2000];
        for (int i = 0; i < micros.length; i++) {
            Architecture b = r.subnets().get(i % r.subnets().size());
            long t = System.nanoTime();
            p.estimate(space, b, 0);
            micros[i] = (System.nanoTime() - t) / 1e3;
        }
        double median = new Median().evaluate(micros);
        assertTrue(median < 1000, "median " + median + " us per prediction");
        int[] v = supernet.checkpoint().spec().largest().vectorArray();
        v[MobilenetSpace.position(0, 1, 0)] = 2;
        assertThrows(IllegalArgumentException.class, () -> p.estimate(space, space.decode(v), 0));
        AccuracyEstimator measured = p.measuredBy().orElseThrow();
        assertEquals("supernet", measured.name());
        assertEquals(r.top1()[3], ((SupernetEstimator) measured.withOptions(Map.of("bn_batches", 2, "bn_batch_size",
                16, "validation_images", 64, "eval_batch", 32))).estimate(space, r.subnets().get(3), 0).value());
    }

    @Test
    void fitPredictorSkipsFailingSubnetsAndReplacesThem() {
        int[] calls = {0};
        PredictorFitting.Result r = PredictorFitting.fit(supernet, a -> {
            calls[0]++;
            if (calls[0] == 2) {
                throw new IllegalStateException("validation logits became NaN");
            }
            double top1 = calls[0] == 5 ? Double.NaN : java.util.Arrays.stream(a.vectorArray()).sum();
            return new SubnetEvaluation.Result(a, top1, 0.5, 16, 64, 0.01);
        }, 8, 4, 7, "ridge", io.hwnas.core.predictor.Mlp.Training.defaults().withEpochs(5), null);
        assertEquals(14, calls[0]);
        assertEquals(List.of("validation logits became NaN", "top-1 is NaN"),
                r.failures().stream().map(PredictorFitting.Failure::reason).toList());
        assertEquals(12, r.subnets().size());
        assertEquals(12, r.subnets().stream().map(Architecture::canonical).distinct().count());
        for (PredictorFitting.Failure f : r.failures()) {
            assertTrue(!r.subnets().contains(f.subnet()), f.subnet() + " was both skipped and fitted");
        }
        for (int i = 0; i < 12; i++) {
            assertEquals(java.util.Arrays.stream(r.subnets().get(i).vectorArray()).sum(), r.top1()[i]);
        }
        assertEquals(2, ((Number) r.predictor().info().get("failed_measurements")).intValue());
        String all = assertThrows(IllegalStateException.class, () -> PredictorFitting.fit(supernet, a -> {
            throw new IllegalStateException("out of memory");
        }, 2, 2, 7, "ridge", io.hwnas.core.predictor.Mlp.Training.defaults(), null)).getMessage();
        assertTrue(all.contains("5 subnet measurements failed (0 of 4 measured); the last: out of memory"), all);
    }
}
