package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.build.DjlModels;
import io.hwnas.core.build.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.experiments.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An NB201 network trained briefly on Fashion-MNIST (a DJL training loop here, since the training
 * module is not in this branch; the IDX files are read by {@link FashionMnist}), exported as float
 * and as int8 QDQ through the command line, and compared with the DJL network on 1,000 test images.
 * Opt-in (system property {@code hwnas.fashionMnistExport}) because the training is minutes of CPU.
 */
class FashionMnistExportTest {

    static final String ARCH = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|";
    static final int STEPS = 150;
    static final int BATCH = 32;

    @TempDir
    Path dir;

    @Test
    void trainedModelExportsAsFloatAndInt8() throws Exception {
        // training takes 5-15 minutes on a shared 2-core host: opt in with -Dhwnas.fashionMnistExport=true
        Assumptions.assumeTrue(Boolean.getBoolean("hwnas.fashionMnistExport"),
                "skipped: the Fashion-MNIST training + float/int8 export test runs with -Dhwnas.fashionMnistExport=true");
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "skipped: Fashion-MNIST is not installed at " + FashionMnist.DEFAULT_DIR);
        Path weights = dir.resolve("fmnist.params");
        long t0 = System.nanoTime();
        train(weights);
        double trainS = (System.nanoTime() - t0) / 1e9;

        Path floatFile = dir.resolve("float.onnx");
        CliRunner f = CliRunner.run("export", "--space", "nb201", "--arch", ARCH, "--input", "1x28x28", "--classes",
                "10", "--weights", weights.toString(), "--out", floatFile.toString(), "--verify", "--json");
        assertEquals(0, f.exitCode(), f.err());
        JsonNode fv = new ObjectMapper().readTree(f.out()).path("verify");
        assertTrue(fv.path("max_abs_diff").asDouble() <= 1e-4, f.out());

        Path int8File = dir.resolve("int8.onnx");
        CliRunner q = CliRunner.run("export", "--space", "nb201", "--arch", ARCH, "--input", "1x28x28", "--classes",
                "10", "--weights", weights.toString(), "--out", int8File.toString(), "--int8", "--calibration",
                "fashion-mnist", "--calibration-samples", "256", "--check-samples", "1000", "--verify", "--json");
        assertEquals(0, q.exitCode(), q.err());
        JsonNode j = new ObjectMapper().readTree(q.out()).path("int8");
        System.out.printf("Fashion-MNIST NB201 %s: trained %d steps x %d in %.0f s; float: max abs diff %.3g"
                + " (outputs up to %.3g), ORT %.3f ms; int8: %s%n", ARCH, STEPS, BATCH, trainS,
                fv.path("max_abs_diff").asDouble(), fv.path("max_abs_output").asDouble(),
                fv.path("ort_median_latency_ms").asDouble(), j);
        assertEquals(1000, j.path("samples").asInt());
        assertEquals(1.0, j.path("float_onnx_top1_agreement").asDouble(), q.out());
        assertTrue(j.path("top1_agreement").asDouble() >= 0.99, q.out());
        assertTrue(j.path("within_tolerance").asBoolean(), q.out());
        assertTrue(j.path("accuracy_float").asDouble() > 0.6, "the network did not learn: " + q.out());
        assertTrue(j.path("size_ratio").asDouble() < 0.35, q.out());
        OnnxChecker.check(List.of(floatFile, int8File));
    }

    static void train(Path weights) throws Exception {
        FashionMnist data = FashionMnist.read(FashionMnist.DEFAULT_DIR, true, STEPS * BATCH);
        SearchSpace s = SearchSpaces.get("nb201");
        Network net = s.network(s.parse(ARCH), new Shape(1, 28, 28), 10);
        Engine.getInstance().setRandomSeed(11);
        SplittableRandom rng = new SplittableRandom(11);
        int[] order = new int[data.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int k = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
        NetworkBlock block = DjlModels.block(net);
        try (Model model = Model.newInstance("fashion-mnist")) {
            model.setBlock(block);
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(2e-3f)).build());
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(DjlModels.inputShape(net, BATCH));
                float[] x = new float[BATCH * FashionMnist.PIXELS];
                float[] y = new float[BATCH];
                for (int step = 0; step < STEPS; step++) {
                    for (int b = 0; b < BATCH; b++) {
                        int i = order[step * BATCH + b];
                        System.arraycopy(data.images(), i * FashionMnist.PIXELS, x, b * FashionMnist.PIXELS,
                                FashionMnist.PIXELS);
                        y[b] = data.labels()[i];
                    }
                    try (NDManager sub = trainer.getManager().newSubManager()) {
                        NDArray xs = sub.create(x, DjlModels.inputShape(net, BATCH));
                        NDArray ys = sub.create(Arrays.copyOf(y, BATCH));
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList pred = trainer.forward(new NDList(xs));
                            NDArray loss = trainer.getLoss().evaluate(new NDList(ys), pred);
                            gc.backward(loss);
                        }
                        trainer.step();
                    }
                }
                WeightsFile.save(block, weights);
            }
        }
    }
}
