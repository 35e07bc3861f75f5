package io.hwnas.core.supernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A supernet training that starts from another checkpoint's weights ({@link SupernetInit}). */
class SupernetInitTest {

    private static final ImageDataset.Split DATA = SyntheticImages.generate("synthetic", 112, new Shape(3, 32, 32),
            10, 21).split(32, 21);

    /** Constant rate, no momentum: SGD keeps no state besides the weights, so a warm start can continue a run. */
    private static final SupernetTrainingOptions PLAIN = SupernetTrainingOptions.builder().steps(4).batch(16)
            .learningRate(0.01).warmupSteps(0).stepDecay(100, 1.0).momentum(0).checkpointEvery(2).validation(0, 1)
            .threads(1).build();

    private static SupernetRun run(SupernetSpec spec, long seed, SupernetTrainingOptions options) {
        return new SupernetRun(spec, SupernetRun.Dataset.of("synthetic", null, DATA), seed, options);
    }

    @TempDir
    Path a;

    @TempDir
    Path b;

    @TempDir
    Path c;

    /**
     * With a stateless optimiser and a constant rate, 4 steps straight and 2 steps then a warm start from their
     * checkpoint for 2 more end with the same bytes: the warm start loads every weight and batch-norm statistic, and
     * its batches and random subnets go on from the checkpoint's step rather than repeat the first ones.
     */
    @Test
    void warmStartContinuesARunWhereItsCheckpointStopped() {
        SupernetRun plain = run(SupernetFixtures.spec(), 13, PLAIN);
        SupernetCheckpoint straight = SupernetTraining.train(plain, DATA, a, null);
        SupernetCheckpoint half = SupernetTraining.train(plain, DATA, b, null, 2);
        SupernetRun warm = plain.withOptions(PLAIN.toBuilder().steps(2).build()).startingFrom(b);
        assertEquals(new SupernetInit(b.toAbsolutePath().normalize().toString(), half.parameters().sha256(), 2),
                warm.init());
        assertEquals(2, warm.stepOffset());
        SupernetCheckpoint continued = SupernetTraining.train(warm, DATA, c, null);
        assertEquals(straight.parameters().sha256(), continued.parameters().sha256());
        assertNotEquals(half.parameters().sha256(), continued.parameters().sha256());

        SupernetCheckpoint read = SupernetCheckpoint.read(c);
        assertEquals(warm.init(), read.run().init(), "the manifest records where the weights came from");
        assertNull(SupernetCheckpoint.read(a).run().init());
        assertEquals(read.parameters(), SupernetTraining.resume(c, DATA, null).parameters(), "already at the end");
    }

    /** A warm-started training stopped after its first checkpoint resumes to the bytes of an uninterrupted one. */
    @Test
    void aWarmStartedTrainingResumesToTheBytesOfAStraightOne() {
        SupernetRun plain = run(SupernetFixtures.spec(), 13, PLAIN);
        SupernetTraining.train(plain, DATA, a, null, 2);
        SupernetRun warm = plain.withOptions(PLAIN.toBuilder().momentum(0.9).build()).startingFrom(a);
        SupernetCheckpoint straight = SupernetTraining.train(warm, DATA, b, null);
        SupernetTraining.train(warm, DATA, c, null, 2);
        SupernetCheckpoint resumed = SupernetTraining.resume(c, DATA, null);
        assertEquals(4, resumed.stepsDone());
        assertEquals(straight.parameters().sha256(), resumed.parameters().sha256());
        assertEquals(straight.optimizer().sha256(), resumed.optimizer().sha256());
    }

    /**
     * A warm start onto more elastic choices (every kernel and two resolutions, from a supernet of kernel 7 at one
     * resolution) loads every weight the checkpoint holds; the kernel transforms it lacks keep their identity.
     */
    @Test
    void warmStartOntoMoreElasticChoicesKeepsTheNewKernelTransforms() {
        SupernetSpec one = SupernetFixtures.spec().withElastic(List.of(7), List.of(3, 4, 6));
        SupernetTraining.train(run(one, 13, PLAIN), DATA, a, null, 2);
        SupernetSpec more = SupernetFixtures.spec().withResolutions(List.of(32, 40));
        SupernetRun warm = run(more, 13, PLAIN).startingFrom(a);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> trained = SupernetCheckpoint.read(a).load(m).getParameters().toMap();
            MobilenetSupernet fresh = MobilenetSupernet.create(more, m);
            MobilenetSupernet loaded = MobilenetSupernet.create(more, m);
            warm.init().load(loaded);
            int shared = 0;
            for (Map.Entry<String, Parameter> e : loaded.getParameters().toMap().entrySet()) {
                Parameter from = trained.containsKey(e.getKey()) ? trained.get(e.getKey())
                        : fresh.getParameters().get(e.getKey());
                shared += trained.containsKey(e.getKey()) ? 1 : 0;
                assertArrayEquals(from.getArray().toFloatArray(), e.getValue().getArray().toFloatArray(), e.getKey());
            }
            assertEquals(trained.size(), shared, "every trained weight loaded");
            assertTrue(loaded.transformNames().size() > 0);
            loaded.transformNames().forEach(t -> assertTrue(!trained.containsKey(t), t));
        }
        SupernetCheckpoint c2 = SupernetTraining.train(warm, DATA, b, null, 2);
        assertEquals(List.of(32, 40), c2.spec().resolutions());
    }

    @Test
    void weightsThatDoNotFitAreRefusedNamingEveryDifference() {
        SupernetTraining.train(run(SupernetFixtures.spec(), 13, PLAIN), DATA, a, null, 2);
        SupernetSpec wider = SupernetFixtures.spec().at(32, 0.5).withElastic(List.of(3, 5), List.of(3, 4, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(wider, 14, PLAIN).startingFrom(a));
        String m = e.getMessage();
        assertTrue(m.startsWith(a.resolve("checkpoint.json") + ": its weights do not fit this supernet (")
                && m.contains("width 0.25 there, but 0.5 here") && m.contains("largest kernel 7 there, but 5 here")
                && m.contains("seed 13 there, but 14 here: the held-out images derive from the seed"), m);
        MobilenetSpace other = (MobilenetSpace) SupernetFixtures.space().withOptions(Map.of("activation", "relu"));
        SupernetSpec relu = SupernetSpec.of(other, 3, 10).at(32, 0.25);
        e = assertThrows(IllegalArgumentException.class, () -> run(relu, 13, PLAIN).startingFrom(a));
        assertTrue(e.getMessage().contains("space options (resolutions aside)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> run(SupernetFixtures.spec(), 13, PLAIN)
                .startingFrom(b));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void aCheckpointWhoseParametersChangedSinceTheStartIsRefused() {
        SupernetTraining.train(run(SupernetFixtures.spec(), 13, PLAIN), DATA, a, null, 2);
        SupernetInit stale = new SupernetInit(a.toString(), "00ff", 2);
        SupernetRun warm = new SupernetRun(SupernetFixtures.spec(), SupernetRun.Dataset.of("synthetic", null, DATA),
                13, PLAIN, stale);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SupernetTraining.train(warm, DATA, b, null, 1));
        assertTrue(e.getMessage().contains("are no longer the ones this training started from (00ff)"),
                e.getMessage());
    }
}
