package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.io.Json;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.core.supernet.SupernetEstimator;
import io.hwnas.core.supernet.SupernetRun;
import io.hwnas.core.supernet.SupernetSpec;
import io.hwnas.core.supernet.SupernetTraining;
import io.hwnas.core.supernet.SupernetTrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches on a tiny supernet checkpoint (3 sandwich steps on the synthetic dataset, width 0.25 of a space with
 * widths 0.25 and 0.5, so that half the candidates are outside the supernet), through the real command line.
 */
class SupernetSearchTest {

    static final String SPACE_OPTIONS = "{resolutions: [32], widths: [0.25, 0.5], search_channels: true}";
    static final String MEASURE = "bn_batches: 2, bn_batch_size: 16, validation_images: 64, eval_batch: 32";

    @TempDir
    static Path tmp;

    static Path checkpoint;
    static SearchSpace space;
    static int threads;

    @BeforeAll
    static void train() {
        threads = DjlRuntime.threads();
        DjlRuntime.setThreads(1); // tiny layers: one thread is faster on shared cores
        space = new MobilenetSpace().withOptions(Map.of("resolutions", List.of(32), "widths", List.of(0.25, 0.5),
                "search_channels", true));
        SupernetSpec spec = SupernetSpec.of((MobilenetSpace) space, 3, 10).at(32, 0.25);
        ImageDataset.Split data = SupernetRun.Dataset.split("synthetic", null, 200, 7);
        SupernetRun run = new SupernetRun(spec, SupernetRun.Dataset.of("synthetic", null, data), 7,
                SupernetTrainingOptions.builder().steps(3).batch(16).learningRate(0.01).warmupSteps(1)
                        .checkpointEvery(3).validation(0, 32).threads(1).build());
        checkpoint = tmp.resolve("checkpoint");
        Autograd.exclusive(7, () -> SupernetTraining.train(run, data, checkpoint, null));
    }

    @AfterAll
    static void restore() {
        DjlRuntime.setThreads(threads);
    }

    static Path config(String name, String accuracy, String spaceOptions, String strategy, int budget)
            throws Exception {
        Path f = tmp.resolve(name + ".yaml");
        Files.writeString(f, String.join("\n", "name: " + name, "seed: 3", "space:", "  name: mobilenet",
                "  options: " + spaceOptions, "dataset: {name: synthetic}", "accuracy: " + accuracy, "devices:",
                "  - name: raspi4", "  - name: edge-tpu", "objectives: [latency_ms]", "strategy: " + strategy,
                "budget: " + budget, "executor: {name: local, parallelism: 2}", ""));
        return f;
    }

    /**
     * {@code accuracy: {name: supernet, ...}} end to end: candidates of width 0.5 are FAILED evaluations naming the
     * supernet's range and the search goes on; the fronts' accuracies are the estimator's measurements.
     */
    @Test
    void aSearchOnTheSupernetMeasuresInRangeCandidatesAndFailsTheOthers() throws Exception {
        Path cfg = config("supernet", "{name: supernet, options: {checkpoint: '" + checkpoint + "', " + MEASURE + "}}",
                SPACE_OPTIONS, "{name: random, batch_size: 4}", 8);
        Path out = tmp.resolve("run-supernet");
        CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        List<String> journal = Files.readAllLines(out.resolve("evaluations.jsonl"));
        assertEquals(8, journal.size());
        long failed = journal.stream().filter(l -> l.contains("\"FAILED\"")
                && l.contains("outside the supernet's elastic range") && l.contains("width 0.5")).count();
        assertTrue(failed > 0 && failed < 8, failed + " of 8 failed: " + journal);
        SupernetEstimator measure = new SupernetEstimator().withOptions(Map.of("checkpoint", checkpoint.toString(),
                "bn_batches", 2, "bn_batch_size", 16, "validation_images", 64, "eval_batch", 32));
        assertMembersAreMeasured(out, measure);
    }

    /**
     * A joint architecture + compression search scored by {@code qat} from the checkpoint binds with the config's
     * {@code dataset} section (the checkpoint's own split is read; the section is not handed to the estimator).
     */
    @Test
    void aQatSearchFromTheCheckpointTakesTheConfigsDatasetSection() throws Exception {
        Path cfg = config("qat", "{name: qat, options: {checkpoint: '" + checkpoint + "', steps: 0, bn_batches: 2, "
                + "calibration_batches: 1, val_size: 64, eval_batch: 32}}", SPACE_OPTIONS, "{name: random, batch_size: 4}",
                4);
        Files.writeString(cfg, Files.readString(cfg).replace("dataset:", "  compression: {bits: [8], activation_bits: "
                + "[8], prune: [0, 0.5]}\ndataset:"));
        Path out = tmp.resolve("run-qat");
        CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        List<String> journal = Files.readAllLines(out.resolve("evaluations.jsonl"));
        assertEquals(4, journal.size());
        assertTrue(journal.stream().anyMatch(l -> l.contains("\"OK\"") && l.contains("accuracy.ptq_top1")),
                journal.toString());
    }

    /** Each Pareto CSV's accuracy is the estimator's measurement of the member. */
    static int assertMembersAreMeasured(Path run, SupernetEstimator measure) throws Exception {
        int members = 0;
        for (String device : List.of("raspi4", "edge-tpu")) {
            List<String> csv = Files.readAllLines(run.resolve("pareto/" + device + ".csv"));
            assertTrue(csv.size() > 1, device + " has an empty front");
            for (String line : csv.subList(1, csv.size())) {
                String arch = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
                double top1 = Double.parseDouble(line.substring(line.lastIndexOf('"') + 2).split(",")[0]);
                assertEquals(measure.estimate(space, space.parse(arch), 0).value(), top1, 1e-9, device + " " + arch);
                members++;
            }
        }
        return members;
    }

    @Test
    void aCheckpointOfAnotherSpaceOrClassCountExits2NamingTheMismatch() throws Exception {
        String acc = "{name: supernet, options: {checkpoint: '" + checkpoint + "'}}";
        CliRunner r = CliRunner.run("search", "--config", config("narrow", acc, "{resolutions: [32], widths: [0.25]}",
                "{name: random, batch_size: 4}", 4).toString(), "--out", tmp.resolve("narrow").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("space option widths was [0.25, 0.5] in the checkpoint but [0.25] in the config")
                && r.err().contains("space option search_channels was true in the checkpoint but false"), r.err());
        Path classes = config("classes", acc, SPACE_OPTIONS, "{name: random, batch_size: 4}", 4);
        Files.writeString(classes, Files.readString(classes).replace("  options:", "  classes: 5\n  options:"));
        r = CliRunner.run("search", "--config", classes.toString(), "--out", tmp.resolve("classes").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("classes were 10 in the checkpoint but 5 in the config"), r.err());
    }

    /**
     * fit-predictor writes the predictor; a predictor-driven NSGA-II search re-measures every Pareto member with
     * the supernet (default options), journals the measurements, and a report rebuilt from the run measures nothing
     * again and writes the same fronts.
     */
    @Test
    void aPredictorSearchReportsSupernetMeasuredMembers() throws Exception {
        assertEquals(2, CliRunner.run("supernet", "fit-predictor", "--checkpoint", checkpoint.toString(),
                "--samples", "1").exitCode());
        CliRunner fit = CliRunner.run("supernet", "fit-predictor", "--checkpoint", checkpoint.toString(), "--samples",
                "8", "--holdout", "4", "--epochs", "20", "--json", "--measure-option", "bn_batches=2",
                "--measure-option", "bn_batch_size=16", "--measure-option", "validation_images=64");
        assertEquals(0, fit.exitCode(), fit.err());
        JsonNode j = Json.MAPPER.readTree(fit.out());
        assertEquals(2, j.path("holdout_scores").size(), fit.out());
        assertTrue(Files.isRegularFile(checkpoint.resolve("predictor.json")));
        Path cfg = config("predictor", "{name: predictor, options: {checkpoint: '" + checkpoint + "'}}",
                "{resolutions: [32], widths: [0.25, 0.5], search_channels: true}",
                "{name: nsga2, options: {population: 8}, batch_size: 8}", 16);
        Path out = tmp.resolve("run-predictor");
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream progress = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(progress, true, java.nio.charset.StandardCharsets.UTF_8));
        CliRunner r;
        try {
            r = CliRunner.run("search", "--config", cfg.toString(), "--out", out.toString());
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, r.exitCode(), r.err());
        SupernetEstimator measure = new SupernetEstimator().withOptions(Map.of("checkpoint", checkpoint.toString()));
        int members = assertMembersAreMeasured(out, measure);
        List<String> remeasured = Files.readAllLines(out.resolve("remeasured.jsonl"));
        assertTrue(remeasured.size() >= 1 && remeasured.size() <= members + 16, remeasured.toString());
        assertTrue(remeasured.get(0).contains("accuracy.predicted"), remeasured.get(0));
        List<String> lines = progress.toString(java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("re-measuring Pareto members with supernet: "))
                .toList();
        assertEquals(remeasured.size(), lines.size(), progress.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(lines.get(0).matches("re-measuring Pareto members with supernet: 1/\\d+ accuracy \\d+\\.\\d\\d "
                + "\\(predicted -?\\d+\\.\\d\\d\\) in \\d+\\.\\d s  \\S+"), lines.get(0));
        String before = Files.readString(out.resolve("pareto/raspi4.csv"));
        assertEquals(0, CliRunner.run("report", out.toString()).exitCode());
        assertEquals(remeasured, Files.readAllLines(out.resolve("remeasured.jsonl")));
        assertEquals(before, Files.readString(out.resolve("pareto/raspi4.csv")));
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("(predicted; Pareto members re-measured with <b>supernet</b>)"), "the run line");
        assertTrue(html.contains("<th>accuracy (supernet)</th>"), "the Pareto tables' accuracy column");
        assertTrue(html.contains("\"accuracy_measured_by\":\"supernet\""), "the data the tooltips label from");
    }
}
