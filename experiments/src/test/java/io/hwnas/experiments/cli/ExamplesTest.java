package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.search.Evaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example config runs end to end with a small budget (and shortened training). */
class ExamplesTest {

    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path tmp;

    /** Writes a copy of an example next to the original's folder layout, with text replaced. */
    Path variant(String example, String... replacements) throws Exception {
        String text = Files.readString(EXAMPLES.resolve(example));
        for (int i = 0; i < replacements.length; i += 2) {
            assertTrue(text.contains(replacements[i]), example + " has no '" + replacements[i] + "'");
            text = text.replace(replacements[i], replacements[i + 1]);
        }
        Path f = tmp.resolve(example);
        Files.writeString(f, text);
        return f;
    }

    static void assumeFashionMnist() {
        assumeTrue(Files.isRegularFile(FASHION.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist to run this test");
    }

    JsonNode search(Path config, int budget, String... devices) throws Exception {
        Path out = tmp.resolve("run");
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", out.toString(), "--budget",
                Integer.toString(budget), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(budget, Files.readAllLines(out.resolve("evaluations.jsonl")).size());
        for (String d : devices) {
            assertTrue(Files.isRegularFile(out.resolve("pareto/" + d + ".json")), d);
        }
        assertTrue(Files.isRegularFile(out.resolve("report.html")));
        return Json.MAPPER.readTree(out.resolve("pareto/" + devices[0] + ".json").toFile());
    }

    @Test
    void fashionMnistScreensTrainsAndTrainsTheParetoMembersAgain() throws Exception {
        assumeFashionMnist();
        Path c = variant("fashion-mnist.yaml", "steps: 40", "steps: 4", "train_size: 2560", "train_size: 256",
                "val_size: 1000", "val_size: 200", "final_training: {steps: 600", "final_training: {steps: 6",
                "val_size: 5000", "val_size: 200");
        JsonNode front = search(c, 8, "raspi4", "loihi2");
        Path run = tmp.resolve("run");
        List<String> journal = Files.readAllLines(run.resolve("evaluations.jsonl"));
        assertEquals(4, journal.stream().filter(l -> l.contains("screened out: synflow")).count());
        List<Evaluation> evaluated = QuickstartSlurmTest.journal(run);
        assertFrontIsTheNonDominatedSetOfTheJournal(front, evaluated, "raspi4", 20);
        // every member's final training: its weights load into its network, and the card states the result file's top-1
        ExperimentConfig config = ConfigLoader.load(c);
        io.hwnas.core.space.SearchSpace space = SearchSpaces.get(config.space().name(), config.space().options());
        for (int k = 1; k <= front.get("members").size(); k++) {
            Path m = run.resolve("models/raspi4/" + k);
            io.hwnas.core.arch.Architecture a = Json.MAPPER.readValue(m.resolve("architecture.json").toFile(),
                    io.hwnas.core.arch.Architecture.class);
            assertEquals(front.get("members").get(k - 1).get("arch").asText(), a.canonical());
            String card = Files.readString(m.resolve("model-card.md"));
            java.util.regex.Matcher top1 = java.util.regex.Pattern.compile(
                    "- final training: validation top-1 ([0-9.]+)% after 6 steps").matcher(card);
            assertTrue(top1.find(), card);
            double trained = Double.parseDouble(top1.group(1));
            assertTrue(trained >= 0 && trained <= 100, card);
            try (ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
                io.hwnas.core.ir.Network net = space.network(a, space.defaultInput(), 10);
                io.hwnas.core.train.Weights.load(net, nd, m.resolve("weights.params"));
            }
        }
    }

    @Test
    void netadaptShrinksTheStartNetwork() throws Exception {
        assumeFashionMnist();
        Path c = variant("netadapt.yaml", "steps: 30", "steps: 3", "train_size: 2048", "train_size: 192",
                "val_size: 1000", "val_size: 128");
        search(c, 20, "raspi4");
        JsonNode report = Json.MAPPER.readTree(tmp.resolve("run/strategy-report.json").toFile());
        // the trajectory's predicted latencies are those the journal has for the same architectures, and shrink
        Map<String, Double> latency = new java.util.HashMap<>();
        QuickstartSlurmTest.journal(tmp.resolve("run")).forEach(e -> latency.put(e.architecture().canonical(),
                e.metric("latency_ms@raspi4")));
        JsonNode rows = report.path("trajectory");
        assertEquals("latency_ms@raspi4", report.path("metric").asText(), report.toString());
        assertTrue(rows.size() >= 2, "at least one shrinking step: " + report);
        assertEquals(report.path("initial_latency").asDouble(), rows.get(0).path("latency").asDouble(), 0.0);
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            assertEquals(latency.get(row.path("arch").asText()), row.path("latency").asDouble(), 1e-9, row.toString());
            assertEquals(row.path("candidates").asInt(), row.path("candidate_accuracies").size(), row.toString());
            if (i > 0) {
                assertTrue(row.path("latency").asDouble() < rows.get(i - 1).path("latency").asDouble(), report.toString());
                assertTrue(row.path("latency").asDouble() <= row.path("target").asDouble(), row.toString());
            }
        }
        assertViewDraws("view-netadapt", "trajectory", rows.size());
        // inherit: true: every candidate fine-tuned from its parent's saved weights
        List<String> journal = Files.readAllLines(tmp.resolve("run/evaluations.jsonl"));
        assertTrue(journal.stream().noneMatch(l -> l.contains("FAILED")), String.join("\n", journal));
        try (var files = Files.list(tmp.resolve("run/candidates"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            long parents = names.stream().filter(n -> n.endsWith(".parent")).count();
            assertEquals(journal.size() - 1, parents, names.toString());
            assertEquals(journal.size(), names.stream().filter(n -> n.endsWith(".weights")).count(), names.toString());
        }
    }

    /** The supernet example, shortened: a 3-step supernet, then a search for its four devices on it. */
    @Test
    void supernetExampleTrainsTheSupernetThenSearchesOnIt() throws Exception {
        assumeFashionMnist();
        Path c = variant("supernet-fashion-mnist.yaml", "../runs/supernet-fashion-mnist-checkpoint", "ckpt",
                "steps: 5000", "steps: 3", "batch: 64", "batch: 16", "checkpoint_every: 100", "checkpoint_every: 3",
                "validate_every: 250", "validate_every: 3", "validate_images: 1000", "validate_images: 64",
                "threads: 2", "threads: 1", "validation_images: 5000}", "validation_images: 64, bn_batches: 2}",
                "validation_images: 5000", "validation_images: 300");
        CliRunner train = CliRunner.run("supernet", "train", "--config", c.toString(), "--quiet", "--json");
        assertEquals(0, train.exitCode(), train.err());
        assertEquals(3, Json.MAPPER.readTree(train.out()).path("steps_done").asInt());
        search(c, 8, "raspi4", "jetson-tx2", "edge-tpu", "loihi2");
        List<Evaluation> evaluated = QuickstartSlurmTest.journal(tmp.resolve("run"));
        // the largest subnet needs 133 of loihi2's 128 cores at stem stride 1: infeasible there, not failed
        assertTrue(evaluated.stream().noneMatch(e -> e.status() == Evaluation.Status.FAILED), evaluated.toString());
        List<?> initial = (List<?>) ConfigLoader.load(c).strategy().options().get("initial");
        assertEquals(5, initial.size(), initial.toString());
        assertEquals(initial, evaluated.subList(0, 5).stream().map(e -> e.architecture().canonical()).toList(),
                "the seeded first generation (largest, largest without SE, smallest, largest at depths 2 and 3) is "
                + "evaluated first");
    }

    @Test
    void mnasnetRlRuns() throws Exception {
        assumeFashionMnist();
        search(variant("mnasnet-rl.yaml"), 20, "pixel3", "edge-tpu");
        JsonNode report = Json.MAPPER.readTree(tmp.resolve("run/strategy-report.json").toFile());
        assertEquals(20, report.path("rewards").size(), report.toString());
        assertViewDraws("view-rewards", "reward", 20);
    }

    /** The multi-fidelity example, shortened: successive halving over rungs of 1, 3 and 9 steps. */
    @Test
    void multiFidelityRunsItsRungs() throws Exception {
        assumeFashionMnist();
        Path c = variant("multi-fidelity-fashion-mnist.yaml", "train_size: 0", "train_size: 256", "val_size: 500",
                "val_size: 64", "min_steps: 10", "min_steps: 1", "max_steps: 90", "max_steps: 9");
        CliRunner r = CliRunner.run("search", "--config", c.toString(), "--out", tmp.resolve("run").toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        long rungs = QuickstartSlurmTest.journal(tmp.resolve("run")).stream()
                .filter(e -> e.metric("fidelity.steps") > 0 && Double.isFinite(e.metric("accuracy"))).count();
        assertTrue(rungs > 9, "every candidate at the first rung, some at later ones: " + rungs);
        assertViewDraws("view-rungs", "rungs", rungs);
    }

    /**
     * The run's report, opened in headless Chromium when it is installed, draws {@code points} points in the
     * strategy view {@code view}'s series {@code series}, without console errors.
     */
    void assertViewDraws(String view, String series, long points) throws Exception {
        if (!Files.isExecutable(Browser.CHROMIUM) || !Files.isExecutable(Browser.DRIVER)) {
            return; // the browser tests (ReportViewsBrowserTest) say they were skipped
        }
        try (Browser b = Browser.start()) {
            b.open(tmp.resolve("run/report.html").toUri().toString());
            assertEquals(points, ((Number) b.counts(view).get(series)).longValue(), view);
            assertEquals(List.of(), b.consoleErrors(), "console errors");
            // parallel coordinates of a large space: at most 12 decision axes, then accuracy and one per device
            assertTrue((Boolean) b.js("var R = window.hwnasReport; R.draw('parallel'); return R.charts.parallel.getOption()"
                    + ".parallelAxis.length <= 12 + 1 + R.data.devices.length"));
            assertEquals("", b.js("var d = document.documentElement, out = [];"
                    + "document.querySelectorAll('body *').forEach(function (e) { var r = e.getBoundingClientRect();"
                    + " if (r.right > d.clientWidth + 1) { out.push(e.tagName + '#' + e.id + '.' + e.className + ' '"
                    + " + Math.round(r.right)); } }); return out.slice(0, 8).join(', ')"), "wider than the window");
            b.js("document.getElementById('strategy-views').scrollIntoView()");
            b.screenshot("example-" + view);
            b.js("document.getElementById('decisions').scrollIntoView()");
            b.screenshot("example-" + view + "-decisions");
        }
    }

    @Test
    void compressFashionMnistSearchesArchitecturesAndCompressionJointly() throws Exception {
        assumeFashionMnist();
        Path c = variant("compress-fashion-mnist.yaml", "steps: 20", "steps: 2", "train_size: 1280", "train_size: 128",
                "val_size: 500", "val_size: 64");
        search(c, 4, "edge-tpu", "npu-int8", "pixel3");
        for (String d : List.of("edge-tpu", "npu-int8", "pixel3")) {
            for (JsonNode m : Json.MAPPER.readTree(tmp.resolve("run/pareto/" + d + ".json").toFile()).get("members")) {
                assertTrue(m.get("arch").asText().contains("#q=") && m.get("compression").size() > 30, m.toString());
            }
        }
    }

    @Test
    void amcFashionMnistCompressesTheBaseWithinTheBudget() throws Exception {
        assumeFashionMnist();
        Path c = variant("amc-fashion-mnist.yaml", "steps: 20", "steps: 2", "train_size: 1280", "train_size: 128",
                "val_size: 500", "val_size: 64");
        search(c, 4, "npu-int8", "edge-tpu");
        JsonNode report = Json.MAPPER.readTree(tmp.resolve("run/strategy-report.json").toFile());
        double max = report.path("budget").path("max").asDouble();
        assertEquals(0.5 * report.path("base_cost").asDouble(), max, 1e-9);
        List<Evaluation> journal = QuickstartSlurmTest.journal(tmp.resolve("run"));
        assertTrue(journal.stream().skip(1).allMatch(e -> e.isOk() && e.metric("latency_ms@npu-int8") <= max),
                journal.toString());
        assertEquals(0, report.path("over_budget").size());
    }

    @Test
    void quickstartSlurmIsTheQuickstartWithTheSlurmExecutor() throws Exception {
        ExperimentConfig a = ConfigLoader.load(EXAMPLES.resolve("quickstart.yaml"));
        ExperimentConfig b = ConfigLoader.load(EXAMPLES.resolve("quickstart-slurm.yaml"));
        assertEquals("slurm", b.executor().name());
        assertEquals("local", a.executor().name());
        // the same search: everything but the name, the output and the executor is equal once resolved
        assertEquals(a.seed(), b.seed());
        assertEquals(a.space(), b.space());
        assertEquals(a.dataset(), b.dataset());
        assertEquals(a.accuracy(), b.accuracy());
        assertEquals(a.screen(), b.screen());
        assertEquals(a.devices(), b.devices());
        assertEquals(a.objectives(), b.objectives());
        assertEquals(a.strategy(), b.strategy());
        assertEquals(a.budget(), b.budget());
        assertEquals(a.finalTraining(), b.finalTraining());
        assertEquals(2, b.executor().options().get("max_retries"), b.executor().toString());
    }

    /** The front, recomputed here: evaluations within the device's constraints that no other one dominates. */
    static void assertFrontIsTheNonDominatedSetOfTheJournal(JsonNode front, List<Evaluation> journal, String device,
            double maxLatencyMs) {
        List<Evaluation> ok = journal.stream().filter(e -> e.status() != Evaluation.Status.FAILED
                && Double.isFinite(e.metric("accuracy")) && Double.isFinite(e.metric("energy_mj@" + device))
                && e.metric("violations@" + device) == 0 && e.metric("latency_ms@" + device) <= maxLatencyMs).toList();
        // architectures with exactly the same objective values are one point, named by the first architecture
        Map<String, String> byPoint = new java.util.HashMap<>();
        for (Evaluation e : ok) {
            boolean dominated = ok.stream().anyMatch(o -> dominates(o, e, device));
            if (!dominated) {
                byPoint.merge(e.metric("accuracy") + "/" + e.metric("latency_ms@" + device) + "/"
                        + e.metric("energy_mj@" + device), e.architecture().canonical(),
                        (x, y) -> x.compareTo(y) <= 0 ? x : y);
            }
        }
        java.util.Set<String> expected = new java.util.TreeSet<>(byPoint.values());
        assertTrue(!expected.isEmpty(), "no admissible evaluation for " + device);
        java.util.Set<String> members = new java.util.TreeSet<>();
        front.get("members").forEach(m -> members.add(m.get("arch").asText()));
        assertEquals(expected, members);
        for (JsonNode m : front.get("members")) {
            Evaluation e = ok.stream().filter(o -> o.architecture().canonical().equals(m.get("arch").asText()))
                    .findFirst().orElseThrow();
            assertEquals(e.metric("accuracy"), m.get("accuracy").asDouble(), 0.0);
            assertEquals(e.metric("latency_ms@" + device), m.get("latency_ms").asDouble(), 0.0);
        }
    }

    private static boolean dominates(Evaluation a, Evaluation b, String device) {
        double[] x = {-a.metric("accuracy"), a.metric("latency_ms@" + device), a.metric("energy_mj@" + device)};
        double[] y = {-b.metric("accuracy"), b.metric("latency_ms@" + device), b.metric("energy_mj@" + device)};
        boolean better = false;
        for (int i = 0; i < x.length; i++) {
            if (x[i] > y[i]) {
                return false;
            }
            better |= x[i] < y[i];
        }
        return better;
    }
}
