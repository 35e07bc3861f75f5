package io.hwnas.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.data.FashionMnist;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Real training on the Debian Fashion-MNIST files, kept short for the suite: one epoch over a
 * 5,120-image subset (80 steps). The full one-epoch figure comes from {@code hwnas train}.
 */
class FashionMnistTrainingTest {

    @Test
    void resnetCellLearnsAndACutCellStaysAtChance() {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed at " + FashionMnist.DEFAULT_DIR + " (apt-get install dataset-fashion-mnist)");
        SearchSpace s = SearchSpaces.get("nb201");
        TrainEstimator est = new TrainEstimator().withOptions(Map.of("train_size", 5120, "val_size", 1000,
                "warmup", 10, "lr", 0.05));
        ImageDataset.Split data = est.data();
        Network resnet = s.network(s.parse(TrainingTest.RESNET));
        TrainResult r = Training.train(resnet, data, est.trainOptions(), 1);
        System.out.printf("resnet cell, 80 steps on 5,120 Fashion-MNIST images: top1 %.2f%%, %.1f images/s%n", r.top1(),
                r.imagesPerSecond());
        assertTrue(r.top1() >= 70, "top1 " + r.top1() + ", loss " + r.lossCurve());
        Network cut = s.network(s.parse(TrainingTest.CUT));
        TrainResult c = Training.train(cut, data, est.trainOptions().withSteps(10), 1);
        System.out.printf("cut cell: top1 %.2f%%%n", c.top1());
        assertTrue(c.top1() > 5 && c.top1() < 15, "cut cell top1 " + c.top1());
    }
}
