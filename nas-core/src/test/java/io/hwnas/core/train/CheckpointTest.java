package io.hwnas.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-fidelity rungs: training 0 to a, then a to b from the checkpoint, equals training 0 to b straight. */
class CheckpointTest {

    private static Network net() {
        SearchSpace s = SearchSpaces.get("nb201");
        return s.network(s.parse(TrainingTest.RESNET));
    }

    private static ImageDataset.Split synthetic() {
        DataSplits d = SyntheticImages.splits(160, 64, new Shape(3, 32, 32), 10, 3);
        return new ImageDataset.Split(d.train(), d.test());
    }

    @Test
    void continuingFromACheckpointEqualsTrainingStraight(@TempDir Path dir) throws Exception {
        // 16 images a step, 10 steps an epoch: the rung from 6 to 12 crosses an epoch boundary
        TrainOptions o = TrainOptions.defaults().withBatch(16).withWarmup(3).withLearningRate(0.05).withThreads(1);
        Path straight = dir.resolve("straight.weights");
        TrainResult s = Training.trainSegment(net(), synthetic(), o, 5, new Segment(0, 12, 12, null, straight));
        Path r0 = dir.resolve("s6.weights");
        Path r1 = dir.resolve("s12.weights");
        TrainResult a = Training.trainSegment(net(), synthetic(), o, 5, new Segment(0, 6, 12, null, r0));
        TrainResult b = Training.trainSegment(net(), synthetic(), o, 5, new Segment(6, 12, 12, r0, r1));
        List<Double> joined = new ArrayList<>(a.lossCurve());
        joined.addAll(b.lossCurve());
        assertEquals(s.lossCurve(), joined, "the same losses step by step");
        assertEquals(s.top1(), b.top1());
        assertEquals(12, b.steps());
        assertEquals(6, a.steps());
        assertArrayEquals(sha(straight), sha(r1), "the same weights, bit for bit");
        assertArrayEquals(sha(Checkpoint.momentum(straight)), sha(Checkpoint.momentum(r1)), "the same momentum");
        // a rung is not a shorter schedule: 6 steps of a 12-step schedule end with other weights than 6 of 6
        Path four = dir.resolve("four.weights");
        Training.train(net(), synthetic(), o.withSteps(6), 5, four);
        assertTrue(!java.util.Arrays.equals(sha(four), sha(r0)), "the learning rate follows the 12-step schedule");
    }

    @Test
    void withBatchNormCalibrationContinuingStillEqualsTrainingStraight(@TempDir Path dir) throws Exception {
        TrainOptions plain = TrainOptions.defaults().withBatch(16).withWarmup(3).withLearningRate(0.05).withThreads(1);
        TrainOptions o = plain.withBnCalibration(3);
        Path straight = dir.resolve("straight.weights");
        TrainResult s = Training.trainSegment(net(), synthetic(), o, 5, new Segment(0, 12, 12, null, straight));
        Path r0 = dir.resolve("s6.weights");
        Path r1 = dir.resolve("s12.weights");
        Training.trainSegment(net(), synthetic(), o, 5, new Segment(0, 6, 12, null, r0));
        TrainResult b = Training.trainSegment(net(), synthetic(), o, 5, new Segment(6, 12, 12, r0, r1));
        assertEquals(s.top1(), b.top1());
        assertEquals(s.validationLoss(), b.validationLoss());
        assertArrayEquals(sha(straight), sha(r1), "the same weights and recomputed statistics, bit for bit");
        assertArrayEquals(sha(Checkpoint.momentum(straight)), sha(Checkpoint.momentum(r1)), "the same momentum");
        Path running = dir.resolve("running.weights");
        TrainResult u = Training.trainSegment(net(), synthetic(), plain, 5, new Segment(0, 12, 12, null, running));
        assertEquals(s.lossCurve(), u.lossCurve(), "the statistics play no part in training");
        assertArrayEquals(sha(Checkpoint.momentum(straight)), sha(Checkpoint.momentum(running)));
        assertTrue(!java.util.Arrays.equals(sha(straight), sha(running)), "the running statistics were replaced");
        assertTrue(s.validationLoss() != u.validationLoss(), s.validationLoss() + " " + u.validationLoss());
    }

    @Test
    void aMissingCheckpointIsNamed(@TempDir Path dir) {
        TrainOptions o = TrainOptions.defaults().withBatch(16).withThreads(1);
        Path missing = dir.resolve("nope.weights");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Training.trainSegment(net(),
                synthetic(), o, 5, new Segment(4, 8, 12, missing, null)));
        assertTrue(e.getMessage().contains("nope.weights"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Segment(4, 8, 12, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Segment(0, 13, 12, null, null));
    }

    private static byte[] sha(Path f) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
    }
}
