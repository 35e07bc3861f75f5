package io.hwnas.core.supernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.data.Augmentation;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.ir.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupernetTrainingTest {

    private static final int STEPS = 6;

    private static final ImageDataset.Split DATA = SyntheticImages.generate("synthetic", 112, new Shape(3, 32, 32),
            10, 21).split(32, 21);

    /**
     * Six steps of batch 16 (five per epoch, so the batch order is reshuffled), step decay, validation every 3,
     * images flipped and shifted at random.
     */
    private static final SupernetRun RUN = new SupernetRun(SupernetFixtures.spec(),
            SupernetRun.Dataset.of("synthetic", null, DATA), 13,
            SupernetTrainingOptions.builder().steps(STEPS).batch(16).learningRate(0.01).warmupSteps(2)
                    .stepDecay(2, 0.5).checkpointEvery(2).validation(3, 32).threads(1)
                    .augment(new Augmentation(true, 2)).build());

    @TempDir
    Path straight;

    @TempDir
    Path interrupted;

    /**
     * Six steps straight, and three steps then a resume from the checkpoint in a fresh supernet up to six, end
     * with the same bytes of parameters, batch-norm statistics and momentum buffers (the files' SHA-256), and the
     * resumed steps report the same losses and validation top-1 as the straight run's.
     */
    @Test
    void trainingStraightAndResumingAfterAStopGiveIdenticalCheckpoints() {
        List<SupernetTraining.Progress> a = new ArrayList<>();
        SupernetCheckpoint whole = SupernetTraining.train(RUN, DATA, straight, a::add);
        List<SupernetTraining.Progress> b = new ArrayList<>();
        SupernetCheckpoint half = SupernetTraining.train(RUN, DATA, interrupted, b::add, 3);
        assertEquals(3, half.stepsDone());
        assertEquals(3, SupernetCheckpoint.read(interrupted).stepsDone());
        SupernetCheckpoint resumed = SupernetTraining.resume(interrupted, DATA, b::add);

        assertEquals(STEPS, whole.stepsDone());
        assertEquals(STEPS, resumed.stepsDone());
        assertEquals(whole.parameters().sha256(), resumed.parameters().sha256());
        assertEquals(whole.optimizer().sha256(), resumed.optimizer().sha256());
        assertEquals(whole.parameters(), SupernetCheckpoint.read(interrupted).parameters());
        assertNotEquals(half.parameters().sha256(), resumed.parameters().sha256(), "the resumed steps changed nothing");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < STEPS; i++) {
            assertEquals(a.get(i).largestLoss(), b.get(i).largestLoss(), "loss of step " + (i + 1));
            assertEquals(a.get(i).top1Largest(), b.get(i).top1Largest(), "top-1 of step " + (i + 1));
            assertEquals(a.get(i).top1Smallest(), b.get(i).top1Smallest(), "top-1 of step " + (i + 1));
            assertEquals(i + 1, a.get(i).step());
            assertEquals(RUN.options().rate(i), a.get(i).learningRate());
        }
        assertTrue(a.get(2).validated() && a.get(5).validated() && !a.get(3).validated());
        assertTrue(a.get(1).checkpointed() && !a.get(2).checkpointed() && b.get(2).checkpointed());
        assertTrue(Double.isFinite(a.get(5).largestLoss()) && a.get(5).top1Largest() >= 0);
    }

    /** The augmentation is part of the run: kept by the checkpoint, and it changes what the weights see. */
    @Test
    void augmentationIsKeptByTheCheckpointAndChangesTheTraining() {
        SupernetCheckpoint augmented = SupernetTraining.train(RUN, DATA, straight, null, 1);
        assertEquals(new Augmentation(true, 2), SupernetCheckpoint.read(straight).run().options().augment());
        SupernetRun plain = new SupernetRun(RUN.spec(), RUN.dataset(), RUN.seed(),
                RUN.options().toBuilder().augment(Augmentation.NONE).build());
        SupernetCheckpoint unaugmented = SupernetTraining.train(plain, DATA, interrupted, null, 1);
        assertNotEquals(augmented.parameters().sha256(), unaugmented.parameters().sha256());
        assertEquals(Augmentation.NONE, SupernetCheckpoint.read(interrupted).run().options().augment());
    }

    @Test
    void resumingWithOtherDataFailsNamingTheCheckpoint() {
        SupernetTraining.train(RUN, DATA, interrupted, null, 1);
        ImageDataset.Split other = SyntheticImages.generate("synthetic", 100, new Shape(3, 32, 32), 10, 21)
                .split(32, 21);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SupernetTraining.resume(interrupted, other, null));
        assertTrue(e.getMessage().contains(interrupted.resolve("checkpoint.json").toString())
                && e.getMessage().contains("80 training and 32 validation images, but the data given has 68 and 32"),
                e.getMessage());
    }

    @Test
    void cosineAndStepSchedulesWarmUpThenDecay() {
        SupernetTrainingOptions cosine = SupernetTrainingOptions.builder().steps(12).learningRate(0.1).warmupSteps(2)
                .build();
        assertEquals(0.05, cosine.rate(0), 1e-12);
        assertEquals(0.1, cosine.rate(2), 1e-12);
        assertEquals(0.05, cosine.rate(7), 1e-12);
        assertTrue(cosine.rate(11) < 0.01 && cosine.rate(11) > 0);
        SupernetTrainingOptions step = cosine.toBuilder().stepDecay(4, 0.1).build();
        assertEquals(0.1, step.rate(5), 1e-12);
        assertEquals(0.01, step.rate(6), 1e-12);
        assertEquals(0.001, step.rate(11), 1e-12);
        assertFalse(step.equals(cosine));
        assertThrows(IllegalArgumentException.class, () -> cosine.toBuilder().stepDecay(0, 0.1).build());
    }
}
