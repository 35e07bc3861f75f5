package io.hwnas.core.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A training that diverges is a failure with a message, never a score: before, a NaN loss went on
 * to NaN logits, validation picked class 0 for every image and the candidate scored chance (~10%).
 */
class DivergenceTest {

    static final String SMALL = "r32-w0.5|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6";

    private static Network net() {
        SearchSpace s = SearchSpaces.get("mobilenet", Map.of("resolutions", java.util.List.of(32),
                "widths", java.util.List.of(0.5), "stem_stride", 2));
        return s.network(s.parse(SMALL), new Shape(3, 32, 32), 10);
    }

    private static ImageDataset.Split synthetic() {
        DataSplits d = SyntheticImages.splits(256, 64, new Shape(3, 32, 32), 10, 1);
        return new ImageDataset.Split(d.train(), d.test());
    }

    @Test
    void aHugeLearningRateFailsNamingTheStepWhereTheLossWentNaN() {
        TrainOptions o = TrainOptions.defaults().withSteps(20).withBatch(32).withWarmup(0).withLearningRate(1e6);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Training.train(net(), synthetic(), o, 3));
        assertTrue(e.getMessage().matches("training loss became (NaN|infinite) at step \\d+ of 20 .*"),
                e.getMessage());
    }

    @Test
    void nonFiniteValidationLogitsFailEvenWhenEveryTrainingLossWasFinite() {
        // one step: its loss is taken before the update, which sends the weights far out of range
        TrainOptions o = TrainOptions.defaults().withSteps(1).withBatch(32).withWarmup(0).withLearningRate(1e30);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Training.train(net(), synthetic(), o, 3));
        assertTrue(e.getMessage().matches("validation logits became (NaN|infinite|-infinite) at image 1 of 64 .*"),
                e.getMessage());
    }

    @Test
    void theTrainEstimatorFailsInsteadOfScoringChance() {
        SearchSpace s = SearchSpaces.get("mobilenet", Map.of("resolutions", java.util.List.of(32),
                "widths", java.util.List.of(0.5), "stem_stride", 2));
        TrainEstimator est = new TrainEstimator().withOptions(Map.of("dataset", "synthetic", "steps", 20, "batch", 32,
                "lr", 100, "warmup", 0, "train_size", 256, "val_size", 64, "threads", 1));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> est.estimate(s, s.parse(SMALL), 5));
        assertTrue(e.getMessage().startsWith("training loss became"), e.getMessage());
    }
}
