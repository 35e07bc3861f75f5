package io.hwnas.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {

    static final String RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|";
    static final String CUT = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|";

    private static Network net(String arch) {
        SearchSpace s = SearchSpaces.get("nb201");
        return s.network(s.parse(arch));
    }

    private static ImageDataset.Split synthetic(int n, long seed) {
        DataSplits d = SyntheticImages.splits(n, 200, new Shape(3, 32, 32), 10, seed);
        return new ImageDataset.Split(d.train(), d.test());
    }

    @Test
    void learnsSyntheticDataIsSeededAndSavesWeights(@TempDir Path dir) {
        TrainOptions o = TrainOptions.defaults().withSteps(30).withBatch(32).withWarmup(10).withLearningRate(0.02);
        Path w = dir.resolve("w.bin");
        TrainResult a = Training.train(net(RESNET), synthetic(640, 1), o, 7, w);
        assertTrue(a.top1() > 40, "top1 " + a.top1() + ", loss " + a.lossCurve());
        assertEquals(30, a.lossCurve().size());
        assertTrue(a.finalLoss(5) < a.lossCurve().get(0), a.lossCurve().toString());
        assertTrue(a.imagesPerSecond() > 0 && a.wallSeconds() > 0);
        TrainResult b = Training.train(net(RESNET), synthetic(640, 1), o, 7);
        assertEquals(a.lossCurve(), b.lossCurve(), "same seed, same run");
        assertEquals(a.top1(), b.top1());
        // the saved weights reproduce the validation predictions: top-1 and loss of the loaded network
        ImageDataset.Split data = synthetic(640, 1);
        Network n = net(RESNET);
        ImageDataset v = data.validation();
        float[] lp;
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = Weights.load(n, m, w);
            float[] x = ImageBatcher.fitted(data.train(), n.inputShape()).fill(v, identity(v.size()), 0, v.size());
            lp = logits(block, m, n, x).logSoftmax(1).toFloatArray();
        }
        int correct = 0;
        double loss = 0;
        for (int j = 0; j < v.size(); j++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = lp[j * 10 + c] > lp[j * 10 + best] ? c : best;
            }
            correct += best == v.label(j) ? 1 : 0;
            loss -= lp[j * 10 + v.label(j)];
        }
        assertEquals(a.top1(), 100.0 * correct / v.size(), 1e-9, "top-1 of the loaded weights");
        assertEquals(a.validationLoss(), loss / v.size(), 1e-5, "validation loss of the loaded weights");
    }

    private static int[] identity(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    private static NDArray logits(NetworkBlock block, NDManager m, Network n, float[] x) {
        NDArray in = m.create(x, DjlNetworks.inputShape(n, x.length / n.inputShape().elements()));
        return block.forward(new ParameterStore(m, false), new NDList(in), false).singletonOrThrow();
    }

    /**
     * Save then load into a fresh block gives the same logits as the block that was saved, batch
     * norm's running statistics included (moved off their initial values by a training-mode pass).
     */
    @Test
    void savedWeightsReproduceTheLogitsInAFreshBlock(@TempDir Path dir) {
        Network n = net(RESNET);
        ImageDataset train = synthetic(64, 3).train();
        float[] x = ImageBatcher.fitted(train, n.inputShape()).fill(train, identity(16), 0, 16);
        Path w = dir.resolve("w.bin");
        float[] before;
        float[] after;
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(n, m, ai.djl.ndarray.types.DataType.FLOAT32, 16);
            float[] initial = logits(block, m, n, x).toFloatArray();
            NDArray in = m.create(x, DjlNetworks.inputShape(n, 16));
            for (int i = 0; i < 3; i++) {
                block.forward(new ParameterStore(m, false), new NDList(in), true);
            }
            before = logits(block, m, n, x).toFloatArray();
            assertFalse(java.util.Arrays.equals(initial, before), "training-mode passes moved the running statistics");
            Weights.save(block, w);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            after = logits(Weights.load(n, m, w), m, n, x).toFloatArray();
        }
        assertArrayEquals(before, after);
    }

    /** PyTorch's CPU numbers depend on the thread count: a fixed {@code threads} pins it per training. */
    @Test
    void aFixedThreadCountGivesTheSameRunWhateverRanBefore() {
        TrainOptions one = TrainOptions.defaults().withSteps(5).withBatch(32).withWarmup(1).withThreads(1);
        TrainResult a = Training.train(net(RESNET), synthetic(128, 1), one, 3);
        Training.train(net(RESNET), synthetic(128, 1), one.withThreads(2), 3);
        TrainResult c = Training.train(net(RESNET), synthetic(128, 1), one, 3);
        assertEquals(a.lossCurve(), c.lossCurve());
        assertEquals(a.top1(), c.top1());
        TrainEstimator e = new TrainEstimator().withOptions(java.util.Map.of("threads", 1));
        assertEquals(1, e.trainOptions().threads());
        assertEquals(1, e.options().get("threads"));
        assertThrows(IllegalArgumentException.class, () -> new TrainEstimator().withOptions(java.util.Map.of("threads", -1)));
    }

    /** Augmented batches are drawn per step from the seed: the same run twice, another than without. */
    @Test
    void augmentedTrainingIsSeededAndDiffersFromPlainTraining() {
        TrainOptions plain = TrainOptions.defaults().withSteps(4).withBatch(32).withWarmup(1).withThreads(1);
        TrainOptions aug = plain.withAugmentation(new io.hwnas.core.data.Augmentation(true, 2));
        TrainResult a = Training.train(net(RESNET), synthetic(128, 1), aug, 3);
        TrainResult b = Training.train(net(RESNET), synthetic(128, 1), aug, 3);
        TrainResult p = Training.train(net(RESNET), synthetic(128, 1), plain, 3);
        assertEquals(a.lossCurve(), b.lossCurve());
        org.junit.jupiter.api.Assertions.assertNotEquals(p.lossCurve().get(0), a.lossCurve().get(0),
                "the first augmented batch differs from the plain one");
    }

    @Test
    void weightsOfAnotherNetworkOrFileAreRejected(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("w.bin");
        Training.train(net(RESNET), synthetic(64, 2), TrainOptions.defaults().withSteps(1).withBatch(32), 1, w);
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Weights.load(net(CUT), m, w));
            assertTrue(e.getMessage().contains(w.toString()), e.getMessage());
            Path bad = Files.writeString(dir.resolve("bad.bin"), "hello");
            e = assertThrows(IllegalArgumentException.class, () -> Weights.load(net(RESNET), m, bad));
            assertTrue(e.getMessage().contains("bad.bin"), e.getMessage());
        }
    }

    /** Bound to a run, the estimator trains the run's network (its input and classes), the one the devices cost. */
    @Test
    void aBoundEstimatorTrainsTheRunsNetwork(@TempDir Path dir) {
        SearchSpace s = SearchSpaces.get("nb201");
        Shape gray = new Shape(1, 28, 28);
        TrainEstimator e = new TrainEstimator().withOptions(java.util.Map.of("dataset", "synthetic", "steps", 1,
                "batch", 8, "train_size", 32, "val_size", 16, "threads", 1)).forNetwork(gray, 10);
        Path w = dir.resolve("w.bin");
        e.train(s, s.parse(RESNET), 1, w);
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(gray, Weights.load(s.network(s.parse(RESNET), gray, 10), m, w).network().inputShape());
            assertThrows(IllegalArgumentException.class, () -> Weights.load(net(RESNET), m, w));
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> e.forNetwork(gray, 7).train(s, s.parse(RESNET), 1, null));
        assertTrue(bad.getMessage().contains("7 outputs"), bad.getMessage());
    }

    @Test
    void optionsAreValidatedAndScheduleWarmsUpThenDecays() {
        assertThrows(IllegalArgumentException.class, () -> TrainOptions.defaults().withBatch(0));
        TrainOptions o = TrainOptions.defaults();
        assertTrue(o.rate(0, 1000) < o.rate(49, 1000));
        assertEquals(o.learningRate(), o.rate(50, 1000), 1e-12);
        assertTrue(o.rate(999, 1000) < 1e-3);
    }
}
