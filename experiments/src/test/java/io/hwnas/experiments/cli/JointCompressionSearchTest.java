package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joint architecture + compression search and {@code amc} through the CLI, on NAS-Bench-201 cells with
 * compression (table accuracy of the uncompressed cell: free), costed on an Edge TPU and an int8/int4 NPU.
 */
class JointCompressionSearchTest {

    static final String BASE = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1"
            + "|nor_conv_3x3~2|";
    static final String CONFIG = """
            space:
              name: nb201
              compression: {bits: [4, 8, 32], activation_bits: [4, 8, 32], prune: [0, 0.25, 0.5]}
            accuracy: {name: table, options: {dataset: cifar10}}
            devices: [{name: edge-tpu}, {name: npu-int8}]
            objectives: [latency_ms]
            strategy: %s
            budget: %d
            executor: {name: local, parallelism: 2}
            """;

    @TempDir
    Path tmp;

    private CliRunner search(String strategy, int budget, Path out) throws Exception {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, CONFIG.formatted(strategy, budget));
        return CliRunner.run("search", "--config", f.toString(), "--out", out.toString(), "--quiet");
    }

    @Test
    void nsga2SearchesCellsAndCompressionAndTheFrontCarriesEachLayersBits() throws Exception {
        Path run = tmp.resolve("run");
        CliRunner r = search("{name: nsga2, options: {population: 8, offspring: 4}, batch_size: 8}", 16, run);
        assertEquals(0, r.exitCode(), r.err());
        for (String d : List.of("edge-tpu", "npu-int8")) {
            JsonNode members = Json.MAPPER.readTree(run.resolve("pareto/" + d + ".json").toFile()).path("members");
            assertTrue(members.size() > 0, d);
            for (JsonNode m : members) {
                assertTrue(m.path("arch").asText().contains("#q="), m.toString());
                assertTrue(m.path("compression").size() > 0, m.toString());
                m.path("compression").forEach(l -> assertTrue(List.of(4, 8, 32).contains(l.path("weight_bits").asInt())
                        && l.path("kept_channels").asInt() <= l.path("channels").asInt(), l.toString()));
            }
        }
        long cells = QuickstartSlurmTest.journal(run).stream().map(e -> e.architecture().canonical().split("#")[0])
                .distinct().count();
        assertTrue(cells > 8, cells + " distinct cells in 16 evaluations");
    }

    @Test
    void amcKeepsTheCellWithinTheBudgetAndResumesExactly() throws Exception {
        String amc = "{name: amc, options: {base: '" + BASE + "', budget: {metric: latency_ms, device: npu-int8,"
                + " ratio: 0.6}}, batch_size: 4}";
        Path full = tmp.resolve("full");
        CliRunner r = search(amc, 11, full);
        assertEquals(0, r.exitCode(), r.err());
        JsonNode report = Json.MAPPER.readTree(full.resolve("strategy-report.json").toFile());
        double max = report.path("budget").path("max").asDouble();
        assertEquals(0.6 * report.path("base_cost").asDouble(), max, 1e-9);
        List<Evaluation> journal = QuickstartSlurmTest.journal(full);
        assertEquals(11, journal.size());
        assertEquals(BASE, journal.get(0).architecture().canonical().split("#")[0]);
        int[] base = journal.get(0).architecture().vectorArray();
        for (Evaluation e : journal.subList(1, journal.size())) {
            assertTrue(e.metric("latency_ms@npu-int8") <= max, e.architecture().canonical());
            int[] v = e.architecture().vectorArray();
            assertTrue(Arrays.equals(Arrays.copyOf(base, 6), Arrays.copyOf(v, 6)), "amc changed the cell");
        }
        assertEquals(0, report.path("over_budget").size());
        // a run cut after 5 evaluations and resumed ends as the uninterrupted one
        Path part = tmp.resolve("part");
        Files.createDirectories(part);
        for (String f : List.of("config.yaml", "manifest.json")) {
            Files.copy(full.resolve(f), part.resolve(f));
        }
        List<String> lines = Files.readAllLines(full.resolve("evaluations.jsonl"));
        Files.writeString(part.resolve("evaluations.jsonl"), String.join("\n", lines.subList(0, 5)) + "\n");
        CliRunner b = CliRunner.run("search", "--resume", part.toString(), "--quiet");
        assertEquals(0, b.exitCode(), b.err());
        // (the journal is in completion order, which two parallel evaluations may swap)
        assertEquals(new java.util.TreeSet<>(journal.stream().map(e -> e.architecture().canonical()).toList()),
                new java.util.TreeSet<>(QuickstartSlurmTest.journal(part).stream().map(e -> e.architecture().canonical())
                        .toList()), "the resumed run evaluated other architectures");
        assertEquals(Files.readString(full.resolve("strategy-report.json")),
                Files.readString(part.resolve("strategy-report.json")));
        assertEquals(Files.readString(full.resolve("pareto/npu-int8.json")),
                Files.readString(part.resolve("pareto/npu-int8.json")));
    }

    @Test
    void badAmcOptionsExitTwoNamingTheField() throws Exception {
        Path f = tmp.resolve("c.yaml");
        CliRunner r = search("{name: amc, options: {base: '" + BASE + "', budget: {metric: flops, max: 1}}}", 4,
                tmp.resolve("x"));
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains(f + ": strategy.options.budget: strategy amc: option budget.metric = flops is not"
                + " allowed; expected one of [latency_ms, energy_mj, model_bytes, peak_memory_bytes]"), r.err());
        r = search("{name: amc, options: {base: '" + BASE + "', budget: {device: npu-int8, max: 0.01}}}", 4,
                tmp.resolve("y"));
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("strategy amc: the budget latency_ms@npu-int8 <= 0.01 cannot be met"), r.err());
    }

    @Test
    void trainTakesACompressedStringAndTrainsThePrunedNetwork() throws Exception {
        String plain = "r32-w0.5|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3";
        CliRunner inspect = CliRunner.run("inspect", "--space", "mobilenet", "--option", "resolutions=[32]", "--option",
                "widths=[0.5]", "--option", "compression={bits: [8, 32], prune: [0, 0.5]}", "--arch", plain, "--json");
        assertEquals(0, inspect.exitCode(), inspect.err());
        JsonNode shown = Json.MAPPER.readTree(inspect.out());
        assertTrue(shown.path("compression").size() > 10, inspect.out());
        String arch = shown.path("arch").asText().replace("32/32", "8/8").replace("#p=0", "#p=50");
        CliRunner r = CliRunner.run("train", "--space", "mobilenet", "--option", "resolutions=[32]", "--option",
                "widths=[0.5]", "--arch", arch, "--dataset", "synthetic", "--steps", "1", "--batch", "8",
                "--train-size", "16", "--val-size", "8", "--train-option", "threads=1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Json.MAPPER.readTree(r.out()).path("arch").asText().contains("#p=50"), r.out());
    }
}
