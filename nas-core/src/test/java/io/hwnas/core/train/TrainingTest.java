package io.hwnas.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.hwnas.core.build.DjlModels;
import io.hwnas.core.build.NetworkBlock;
import io.hwnas.core.data.DataSplits;
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
        // the saved weights reproduce the validation predictions
        Network n = net(RESNET);
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = Weights.load(n, m, w);
            NDArray x = m.ones(DjlModels.inputShape(n, 2));
            NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertTrue(Float.isFinite(y.sum().getFloat()));
        }
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

    @Test
    void optionsAreValidatedAndScheduleWarmsUpThenDecays() {
        assertThrows(IllegalArgumentException.class, () -> TrainOptions.defaults().withBatch(0));
        TrainOptions o = TrainOptions.defaults();
        assertTrue(o.rate(0, 1000) < o.rate(49, 1000));
        assertEquals(o.learningRate(), o.rate(50, 1000), 1e-12);
        assertTrue(o.rate(999, 1000) < 1e-3);
    }
}
