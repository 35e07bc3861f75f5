package io.hwnas.experiments.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.supernet.SubnetEvaluation;
import io.hwnas.core.supernet.SupernetCheckpoint;
import io.hwnas.core.train.Weights;
import io.hwnas.experiments.cli.CliRunner;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.export.InputNormalisation;
import io.hwnas.experiments.export.RunDirectoryExport;
import io.hwnas.experiments.export.Verification;
import io.hwnas.experiments.export.graph.Logits;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code final_training: {from: supernet, steps: N}}: the members keep the supernet's weights (recalibrated, or
 * fine-tuned N steps), are saved where final training saves weights, export to ONNX, and their model cards give
 * the test top-1 measured in ONNX Runtime.
 */
class SupernetFinalTrainingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    static SupernetCheckpoint checkpoint;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainTinySupernet() {
        checkpoint = SupernetRunFixtures.checkpoint(shared.resolve("checkpoint"));
    }

    ExperimentConfig config(String finalTraining) throws Exception {
        Path f = tmp.resolve("sn.yaml");
        Files.writeString(f, SupernetRunFixtures.config(checkpoint.dir(), finalTraining));
        return ConfigLoader.load(f);
    }

    static Runner runner(ExperimentConfig c, Path dir) {
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        Progress p = new Progress(new PrintStream(System.err, true, StandardCharsets.UTF_8), true, c.budget(),
                DeviceObjectives.of(c));
        return new Runner(setup, dir, p);
    }

    /** The calibrated subnet as the supernet estimator measures it (2 calibration batches), and its logits on x. */
    static float[] calibratedLogits(Architecture a, float[] x, long[] shape) {
        return calibrated(a, (block, m) -> Verification.djl(block, x, shape));
    }

    /** Applies {@code use} to the calibrated subnet (calibrated on one thread, as the config's final training). */
    static <T> T calibrated(Architecture a, java.util.function.BiFunction<NetworkBlock, NDManager, T> use) {
        int threads = DjlRuntime.threads();
        DjlRuntime.setThreads(1);
        try (NDManager m = NDManager.newBaseManager()) {
            SubnetEvaluation eval = SubnetEvaluation.builder(checkpoint.load(m), split()).bnBatches(2)
                    .seed(checkpoint.run().seed()).build();
            return use.apply(eval.calibrated(a, m), m);
        } finally {
            DjlRuntime.setThreads(threads);
        }
    }

    /** Whether the weights file holds exactly the calibrated subnet's parameters and batch-norm statistics. */
    static boolean sameParameters(Architecture a, Path weights) {
        return calibrated(a, (block, m) -> {
            NetworkBlock saved = Weights.load(checkpoint.spec().network(a), m, weights);
            var want = block.getParameters();
            var have = saved.getParameters();
            boolean same = want.size() == have.size() && want.size() > 0;
            for (int i = 0; same && i < want.size(); i++) {
                same = want.keys().get(i).equals(have.keys().get(i)) && java.util.Arrays.equals(
                        want.valueAt(i).getArray().toFloatArray(), have.valueAt(i).getArray().toFloatArray());
            }
            return same;
        });
    }

    /** The logits of the saved weights, on one thread as {@link #calibratedLogits}. */
    static float[] savedLogits(Architecture a, Path weights, float[] x, long[] shape) {
        int threads = DjlRuntime.threads();
        DjlRuntime.setThreads(1);
        try (NDManager m = NDManager.newBaseManager()) {
            // contiguous activations, as the calibrated subnet runs them (channels-last picks other kernels)
            return Verification.djl(Weights.load(checkpoint.spec().network(a), m, weights).channelsLast(false), x,
                    shape);
        } finally {
            DjlRuntime.setThreads(threads);
        }
    }

    private static ImageDataset.Split split;

    static synchronized ImageDataset.Split split() {
        if (split == null) {
            split = checkpoint.run().dataset().load(checkpoint.run().seed());
        }
        return split;
    }

    static final long[] SHAPE = {4, 3, 32, 32};
    static final float[] X = Verification.gaussian(new SplittableRandom(11), 4 * 3 * 32 * 32);

    @Test
    void inheritedMembersAreTheCalibratedSubnetsAndTheirCardsGiveTheOnnxTestTop1() throws Exception {
        Path dir = tmp.resolve("run");
        List<Evaluation> front = runner(config("{from: supernet, steps: 0, threads: 1}"), dir).run(false).fronts()
                .get("fast");
        assertFalse(front.isEmpty());
        for (int k = 1; k <= front.size(); k++) {
            Architecture a = front.get(k - 1).architecture();
            Path m = dir.resolve("models/fast/" + k);
            assertTrue(sameParameters(a, m.resolve("weights.params")), "member " + k + " holds the calibrated "
                    + "subnet's weights and batch-norm statistics");
            assertArrayEquals(calibratedLogits(a, X, SHAPE), savedLogits(a, m.resolve("weights.params"), X, SHAPE),
                    "member " + k + ": the saved weights' forward is the calibrated subnet's");
            JsonNode result = JSON.readTree(dir.resolve("trained/" + a.fileKey() + ".json").toFile());
            assertEquals(0, result.get("steps").asInt());
            assertTrue(result.get("from").asText().contains(checkpoint.dir().toString()), result.toString());
            String card = Files.readString(m.resolve("model-card.md"));
            assertTrue(card.contains("started from the supernet checkpoint " + checkpoint.dir()), card);
        }
        List<RunDirectoryExport.Exported> exported = RunDirectoryExport.export(dir, null, 0);

        assertEquals(front.size(), exported.size());
        ImageDataset test = Datasets.load("synthetic", null, SupernetRunFixtures.SEED).test();
        ImageBatcher batcher = ImageBatcher.fitted(split().train(), new Shape(3, 32, 32));
        int[] all = new int[test.size()];
        java.util.Arrays.setAll(all, i -> i);
        float[] inputs = batcher.fill(test, all, 0, all.length);
        for (RunDirectoryExport.Exported e : exported) {
            Architecture a = front.get(Integer.parseInt(e.member()) - 1).architecture();
            InputNormalisation recorded = InputNormalisation.read(dir.resolve("trained/" + a.fileKey()
                    + InputNormalisation.SUFFIX));
            assertArrayEquals(inputs, recorded.batcher().fill(recorded.testImages(), all, 0, all.length),
                    "the test images are made into the inputs training made");
            assertNotNull(e.test(), "test top-1 measured");
            assertEquals(1000, e.test().images());
            double djl = djlTop1(a, dir.resolve("models/fast/" + e.member() + "/weights.params"), test, batcher);
            assertEquals(djl, e.test().top1(), 0.2, "ONNX Runtime and DJL top-1 on the same test images");
            String card = Files.readString(dir.resolve("models/fast/" + e.member() + "/model-card.md"));
            assertTrue(card.contains(String.format(java.util.Locale.ROOT,
                    "test top-1 of model.onnx in ONNX Runtime: %.2f%% (%d of 1,000)", e.test().top1(),
                    e.test().correct())) && card.contains("synthetic (seed 5)") && card.contains("(of the 5,800 "
                    + "training images)"), card);
            io.hwnas.experiments.report.MemberTestTop1 read = io.hwnas.experiments.report.MemberTestTop1.read(dir,
                    "fast", Integer.parseInt(e.member()), a.canonical());
            assertEquals(e.test().top1(), read.top1(), 1e-9, "report --compare --accuracy test reads the record");
            assertEquals("synthetic (seed 5)", read.testSplit());
        }
    }

    /** Top-1 of the saved weights through DJL on every test image, made into inputs independently. */
    static double djlTop1(Architecture a, Path weights, ImageDataset test, ImageBatcher batcher) {
        int[] all = new int[test.size()];
        java.util.Arrays.setAll(all, i -> i);
        int correct = 0;
        for (int from = 0; from < all.length; from += 250) {
            int n = Math.min(250, all.length - from);
            float[] logits = savedLogits(a, weights, batcher.fill(test, all, from, from + n),
                    new long[] {n, 3, 32, 32});
            for (int j = 0; j < n; j++) {
                correct += Logits.argmax(logits, j, 10) == test.label(from + j) ? 1 : 0;
            }
        }
        return 100.0 * correct / all.length;
    }

    @Test
    void fineTunedMembersTrainTheirStepsAndAResumeRedoesOnlyWhatIsMissing() throws Exception {
        ExperimentConfig c = config("{from: supernet, steps: 2, batch: 8, lr: 0.01, warmup: 0, threads: 1}");
        Path dir = tmp.resolve("run");
        List<Evaluation> front = runner(c, dir).run(false).fronts().get("fast");
        Architecture first = front.get(0).architecture();
        Path weights = dir.resolve("trained/" + first.fileKey() + ".params");
        for (Evaluation e : front) {
            Architecture a = e.architecture();
            if (e != front.get(0)) {
                assertTrue(Files.isRegularFile(dir.resolve("trained/" + a.fileKey() + ".params")));
                continue;
            }
            JsonNode result = JSON.readTree(dir.resolve("trained/" + a.fileKey() + ".json").toFile());
            assertEquals(2, result.get("steps").asInt());
            assertTrue(result.get("from").asText().contains("then 2 fine-tuning steps"), result.toString());
            float[] tuned = savedLogits(a, dir.resolve("trained/" + a.fileKey() + ".params"), X, SHAPE);
            assertTrue(Verification.maxAbsDiff(calibratedLogits(a, X, SHAPE), tuned) > 1e-4, "fine-tuning moved "
                    + a);
        }
        byte[] before = Files.readAllBytes(weights);
        assertTrue(runner(c, dir).withFinalTrainer((a, s, w) -> {
            throw new AssertionError("trained again: " + a);
        }).run(true).fronts().get("fast").size() == front.size(), "a resume trains no finished member");
        Files.delete(dir.resolve("trained/" + first.fileKey() + ".json"));
        Files.delete(weights);
        runner(c, dir).run(true);
        assertArrayEquals(before, Files.readAllBytes(weights), "the member trained again gives the same weights");
        assertFalse(Files.exists(weights.resolveSibling(weights.getFileName() + ".inherited")));
        exportsFineTunedMembersWithInt8(dir, front);
    }

    @Test
    void membersFineTunesOnlyEachFrontsMostAccurateTheOthersKeepTheirInheritedWeights() throws Exception {
        Path f = tmp.resolve("members.yaml");
        Files.writeString(f, SupernetRunFixtures.config(checkpoint.dir(), "{from: supernet, steps: 2, batch: 8, lr: "
                + "0.01, warmup: 0, threads: 1, members: 1, flip: true, shift: 1}")
                .replace("budget: 2", "budget: 6"));
        Path dir = tmp.resolve("run");
        List<Evaluation> front = runner(ConfigLoader.load(f), dir).run(false).fronts().get("fast");
        assertTrue(front.size() >= 2, "the test needs a front of two or more: " + front.size());
        Evaluation best = front.stream().max(java.util.Comparator.comparingDouble(e -> e.metric("accuracy"))).get();
        for (Evaluation e : front) {
            Architecture a = e.architecture();
            JsonNode result = JSON.readTree(dir.resolve("trained/" + a.fileKey() + ".json").toFile());
            String card = Files.readString(dir.resolve("models/fast/" + (front.indexOf(e) + 1) + "/model-card.md"));
            if (e == best) {
                assertEquals(2, result.get("steps").asInt(), result.toString());
                assertTrue(card.contains("then 2 fine-tuning steps"), card);
            } else {
                assertEquals(0, result.get("steps").asInt(), result.toString());
                assertTrue(sameParameters(a, dir.resolve("trained/" + a.fileKey() + ".params")), "member " + a
                        + " keeps the calibrated subnet's weights");
                assertTrue(card.contains("no fine-tuning (not among the 1 most accurate members of a front"), card);
            }
        }
    }

    /** {@code hwnas export RUN_DIR --int8 --json}: both files of every member carry their ONNX Runtime test top-1. */
    static void exportsFineTunedMembersWithInt8(Path dir, List<Evaluation> front) throws Exception {
        CliRunner r = CliRunner.run("export", dir.toString(), "--int8", "--calibration", "synthetic",
                "--calibration-samples", "16", "--check-samples", "16", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode models = JSON.readTree(r.out()).get("models");
        assertEquals(2 * front.size(), models.size());
        ImageDataset test = Datasets.load("synthetic", null, SupernetRunFixtures.SEED).test();
        ImageBatcher batcher = ImageBatcher.fitted(split().train(), new Shape(3, 32, 32));
        for (JsonNode m : models) {
            assertEquals(1000, m.get("test_images").asInt(), m.toString());
            String member = m.get("member").asText();
            Path card = dir.resolve("models/fast/" + member + "/model-card.md");
            if (m.get("file").asText().endsWith("/model.onnx")) {
                Architecture a = front.get(Integer.parseInt(member) - 1).architecture();
                assertEquals(djlTop1(a, card.resolveSibling("weights.params"), test, batcher),
                        m.get("test_top1").asDouble(), 0.2, "ONNX Runtime and DJL top-1 of the fine-tuned member");
            }
            String text = Files.readString(card);
            assertTrue(text.contains("test top-1 of model.onnx in ONNX Runtime: ") && text.contains(
                    "test top-1 of model-int8.onnx in ONNX Runtime: "), text);
            JsonNode record = JSON.readTree(card.resolveSibling("test-top1.json").toFile()).path("models").path(Path.of(
                    m.get("file").asText()).getFileName().toString());
            assertEquals(m.get("test_top1").asDouble(), record.path("top1").asDouble(-1), 0.005, record.toString());
            assertEquals(1000, record.path("images").asInt(), record.toString());
        }
    }
}
