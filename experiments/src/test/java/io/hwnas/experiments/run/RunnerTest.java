package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.config.ConfigException;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerTest {

    @TempDir
    Path tmp;

    static final String CONFIG = """
            name: unit
            seed: 7
            space: {name: nb201}
            accuracy: {name: test-macs, options: {fail_on: "avg_pool_3x3~0|+|avg_pool_3x3~0"}}
            devices:
              - {name: fast, profile: fast}
              - {name: slow, profile: slow, batch: 2, constraints: {latency_ms: 400}}
            objectives: [latency_ms, energy_mj]
            strategy: {name: random, batch_size: 6}
            budget: 60
            executor: {name: local, parallelism: 2}
            output: out/unit
            """;

    Path config(String text) throws Exception {
        Path f = tmp.resolve("exp.yaml");
        Files.writeString(f, text);
        return f;
    }

    static Runner.Result run(ExperimentConfig c, Path dir, boolean resume) {
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        Progress p = new Progress(new PrintStream(System.err, true, StandardCharsets.UTF_8), true, c.budget(),
                DeviceObjectives.of(c));
        return new Runner(setup, dir, p).run(resume);
    }

    @Test
    void aRunWritesTheWholeRunDirectory() throws Exception {
        ExperimentConfig c = ConfigLoader.load(config(CONFIG));
        assertEquals(tmp.resolve("out/unit"), c.output());
        Runner.Result r = run(c, c.output(), false);
        Path d = c.output();
        for (String f : List.of("config.yaml", "manifest.json", "evaluations.jsonl", "pareto/fast.json",
                "pareto/fast.csv", "pareto/slow.json", "pareto/slow.csv", "report.html",
                "models/fast/1/architecture.json", "models/fast/1/model-card.md")) {
            assertTrue(Files.isRegularFile(d.resolve(f)), f);
        }
        assertEquals(60, Files.readAllLines(d.resolve("evaluations.jsonl")).size());
        assertEquals(60, r.evaluations());
        assertFalse(r.fronts().get("fast").isEmpty());
        String journal = Files.readString(d.resolve("evaluations.jsonl"));
        assertTrue(journal.contains("\"FAILED\"") && journal.contains("simulated failure"), "failures are journaled");
        String card = Files.readString(d.resolve("models/slow/1/model-card.md"));
        assertTrue(card.contains("Per-layer breakdown on slow") && card.contains("| fast |"), card);
        String html = Files.readString(d.resolve("report.html"));
        assertTrue(html.contains("echarts") && html.contains("id=\"hwnas-data\"") && html.contains("hypervolume"));
        assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "the report loads nothing");
        // the resolved config loads back to the same config
        ExperimentConfig again = ConfigLoader.load(d.resolve("config.yaml"));
        assertEquals(c.output(), again.output());
        assertEquals(c.devices(), again.devices());
        assertEquals(c.strategy(), again.strategy());
        // every Pareto member of slow meets its latency constraint
        for (var e : r.fronts().get("slow")) {
            assertTrue(e.metric("latency_ms@slow") <= 400);
        }
    }

    @Test
    void resumeFromAPartialJournalWithATornLineGivesTheSameFronts() throws Exception {
        ExperimentConfig c = ConfigLoader.load(config(CONFIG));
        Path full = tmp.resolve("full");
        run(c, full, false);
        Path part = tmp.resolve("part");
        Files.createDirectories(part);
        Files.copy(full.resolve("config.yaml"), part.resolve("config.yaml"));
        Files.copy(full.resolve("manifest.json"), part.resolve("manifest.json"));
        List<String> lines = Files.readAllLines(full.resolve("evaluations.jsonl"));
        String head = String.join("\n", lines.subList(0, 20)) + "\n" + lines.get(20).substring(0, 30);
        Files.writeString(part.resolve("evaluations.jsonl"), head);
        Runner.Result r = run(c, part, true);
        assertEquals(20, r.fromJournal());
        assertEquals(60, Files.readAllLines(part.resolve("evaluations.jsonl")).size());
        for (String dev : List.of("fast", "slow")) {
            assertEquals(Files.readString(full.resolve("pareto/" + dev + ".json")),
                    Files.readString(part.resolve("pareto/" + dev + ".json")));
        }
    }

    @Test
    void proxyScreeningKeepsTheBestShareOfEachBatch() throws Exception {
        ExperimentConfig c = ConfigLoader.load(config(CONFIG.replace("accuracy: {name: test-macs, options: {fail_on: \"avg_pool_3x3~0|+|avg_pool_3x3~0\"}}",
                "accuracy: {name: test-macs, screen: {proxy: test-macs, keep: 0.5}}")));
        assertEquals(0.5, c.screen().keep());
        run(c, c.output(), false);
        List<String> lines = Files.readAllLines(c.output().resolve("evaluations.jsonl"));
        assertEquals(60, lines.size());
        assertEquals(30, lines.stream().filter(l -> l.contains("screened out: test-macs")).count());
        assertEquals(c.screen(), ConfigLoader.load(c.output().resolve("config.yaml")).screen());
    }

    @Test
    void aSecondRunIntoTheSameDirectoryIsRefused() throws Exception {
        ExperimentConfig c = ConfigLoader.load(config(CONFIG.replace("budget: 60", "budget: 6")));
        run(c, c.output(), false);
        ConfigException e = assertThrows(ConfigException.class, () -> run(c, c.output(), false));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    }

    @Test
    void everyConfigProblemIsReportedAtOnce() throws Exception {
        Path f = config(CONFIG.replace("random", "nsga2x").replace("budget: 60", "budget: -3")
                .replace("seed: 7", "seed: 7\nsaed: 8").replace("objectives: [latency_ms, energy_mj]",
                        "objectives: [latency, energy_mj]"));
        ConfigException e = assertThrows(ConfigException.class, () -> RunSetup.load(f, TestPlugins::device));
        String m = e.getMessage();
        assertTrue(m.contains(f + ": strategy.name = \"nsga2x\" is not allowed; expected one of ["), m);
        assertTrue(m.contains("budget = -3"), m);
        assertTrue(m.contains("saed is not a known field"), m);
        assertTrue(m.contains("objectives[0] = \"latency\""), m);
        assertEquals(4, e.problems().size(), m);
    }

    @Test
    void unknownDevicesFailBeforeAnyWork() throws Exception {
        ExperimentConfig c = ConfigLoader.load(config(CONFIG.replace("profile: slow", "profile: missing")));
        ConfigException e = assertThrows(ConfigException.class, () -> RunSetup.bind(c, TestPlugins::device));
        assertTrue(e.getMessage().contains("devices[1]") && e.getMessage().contains("missing"), e.getMessage());
        assertFalse(Files.exists(c.output()));
    }
}
