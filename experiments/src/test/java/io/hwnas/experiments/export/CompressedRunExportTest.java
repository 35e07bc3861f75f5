package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.quant.ActivationRange;
import io.hwnas.core.data.FashionMnist;
import io.hwnas.core.io.Json;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.experiments.cli.CliRunner;
import io.hwnas.experiments.export.graph.OrtModel;
import io.hwnas.experiments.export.mixed.ActivationRangesFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hwnas export RUN_DIR} of a run whose Pareto members are compressed: a tiny NSGA-II search over
 * NAS-Bench-201 cells with per-layer bits and pruning (table accuracy, free) on the Edge TPU, then each member
 * exported as a mixed-precision QDQ model with its own bits, from its weights and recorded ranges when it has them.
 */
class CompressedRunExportTest {

    @TempDir
    Path tmp;

    private static final String CONFIG = """
            space:
              name: nb201
              input: 3x16x16
              compression: {bits: [4, 8, 32], activation_bits: [8, 32], prune: [0, 0.5]}
            accuracy: {name: table, options: {dataset: cifar10}}
            devices: [{name: edge-tpu}]
            objectives: [latency_ms]
            strategy: {name: nsga2, options: {population: 4, offspring: 4}, batch_size: 4}
            budget: 8
            executor: {name: local, parallelism: 1}
            """;

    private static CliRunner export(Path run, String... more) {
        List<String> args = new ArrayList<>(List.of("export", run.toString(), "--format", "onnx",
                "--calibration-samples", "16", "--check-samples", "16"));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    /** A seeded search of {@code budget} evaluations; its run directory. */
    private Path search(int budget) throws Exception {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, CONFIG.replace("budget: 8", "budget: " + budget));
        Path run = tmp.resolve("run");
        CliRunner search = CliRunner.run("search", "--config", f.toString(), "--out", run.toString(), "--quiet");
        assertEquals(0, search.exitCode(), search.err());
        return run;
    }

    /** Gives the member in {@code dir} trained weights of its base cell and ranges recorded in trained/. */
    private static Path recordWeightsAndRanges(Path run, Path dir) throws Exception {
        String arch = Json.MAPPER.readTree(dir.resolve("architecture.json").toFile()).path("arch").asText();
        ExportCommandTest.saveWeights("nb201", arch.split("#")[0], new Shape(3, 16, 16),
                dir.resolve(RunDirectoryExport.WEIGHTS));
        SearchSpace s = io.hwnas.core.space.compress.CompressedSpaces.forText(SearchSpaces.get("nb201"), arch);
        Map<String, ActivationRange> all = new LinkedHashMap<>();
        for (Layer l : CompressedExport.macLayers(s.network(s.parse(arch), new Shape(3, 16, 16), 10))) {
            all.put(l.name(), new ActivationRange(-3, 6));
        }
        Path ranges = Files.createDirectories(run.resolve("trained")).resolve(s.parse(arch).fileKey()
                + CompressedRunExport.TRAINED_RANGES_SUFFIX);
        new ActivationRangesFile("qat", all).write(ranges);
        if (Files.isDirectory(FashionMnist.DEFAULT_DIR)) { // the input normalisation a final training records
            InputNormalisation.of("fashion-mnist", null, 0, FashionMnist.load(FashionMnist.DEFAULT_DIR).train(),
                    new Shape(3, 16, 16)).write(run.resolve("trained").resolve(s.parse(arch).fileKey()
                            + InputNormalisation.SUFFIX));
        }
        return ranges;
    }

    /** The exported member: its Pareto entry's bits and kept channels, a model ONNX Runtime runs, its card. */
    private static void checkMember(JsonNode e, Path dir, Map<String, JsonNode> pareto, int seed) throws Exception {
        String arch = Json.MAPPER.readTree(dir.resolve("architecture.json").toFile()).path("arch").asText();
        assertTrue(arch.contains("#q="), arch);
        assertEquals(dir.resolve(RunDirectoryExport.MODEL).toString(), e.path("file").asText());
        assertTrue(e.path("verify").path("within_tolerance").asBoolean(), e.toString());
        JsonNode want = pareto.get(arch).path("compression");
        JsonNode got = e.path("compression");
        assertEquals(want.size(), got.size(), arch);
        for (int k = 0; k < want.size(); k++) {
            for (String field : List.of("name", "weight_bits", "activation_bits", "kept_channels")) {
                assertEquals(want.get(k).path(field).asText(), got.get(k).path(field).asText(), arch + " " + k);
            }
        }
        byte[] model = Files.readAllBytes(dir.resolve(RunDirectoryExport.MODEL));
        try (OrtModel ort = new OrtModel(model, 1)) {
            float[] logits = ort.run(Verification.gaussian(new java.util.SplittableRandom(seed), 3 * 16 * 16),
                    new long[] {1, 3, 16, 16});
            assertEquals(10, logits.length);
        }
        String card = Files.readString(dir.resolve(RunDirectoryExport.CARD));
        assertTrue(card.contains("## ONNX export") && card.contains("mixed-precision QDQ"), card);
    }

    @Test
    void everyCompressedMemberIsExportedWithItsBitsWeightsAndRangesTheSameTwice() throws Exception {
        Path run = search(8);
        Path models = run.resolve("models/edge-tpu");
        List<Path> members;
        try (var s = Files.list(models)) {
            members = s.filter(Files::isDirectory).sorted(java.util.Comparator.comparing((Path p) ->
                    Integer.parseInt(p.getFileName().toString()))).toList(); // the export's order: 1, 2, ..., 10
        }
        assertFalse(members.isEmpty());
        Map<String, JsonNode> pareto = new LinkedHashMap<>();
        Json.MAPPER.readTree(run.resolve("pareto/edge-tpu.json").toFile()).path("members")
                .forEach(m -> pareto.put(m.path("arch").asText(), m));
        // member 1: trained weights and recorded ranges; the others: seeded weights, calibrated ranges
        Path ranges = recordWeightsAndRanges(run, members.get(0));
        CliRunner r = export(run, "--verify", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode out = Json.MAPPER.readTree(r.out()).path("models");
        assertEquals(members.size(), out.size());
        for (int i = 0; i < out.size(); i++) {
            checkMember(out.get(i), members.get(i), pareto, i);
        }
        assertEquals("base network, pruned by weight inheritance", out.get(0).path("weights").asText());
        assertEquals(ranges.toString(), out.get(0).path("activation_ranges").asText());
        if (Files.isDirectory(FashionMnist.DEFAULT_DIR)) { // trained weights and a recorded normalisation: test top-1
            assertEquals(10000, out.get(0).path("test_images").asInt(), out.get(0).toString());
            assertTrue(Files.readString(members.get(0).resolve(RunDirectoryExport.CARD)).contains("test"));
            assertFalse(out.get(1).has("test_top1"), "seeded weights: no test accuracy");
        }
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i).path("weights").asText().startsWith("initial (seed"), out.get(i).toString());
            assertTrue(out.get(i).path("activation_ranges").asText().startsWith("calibration (min/max of 16 images)"),
                    out.get(i).toString());
        }
        System.out.printf("exported %d compressed members%n", out.size());
        Map<String, byte[]> once = RunDirectoryExportTest.snapshot(run);
        assertEquals(0, export(run, "--verify").exitCode());
        Map<String, byte[]> twice = RunDirectoryExportTest.snapshot(run);
        assertEquals(once.keySet(), twice.keySet());
        for (String file : once.keySet()) {
            assertArrayEquals(once.get(file), twice.get(file), file);
        }
    }

    @Test
    void int8AndBadPercentilesExit2() throws Exception {
        Path run = search(4);
        CliRunner int8 = export(run, "--int8");
        assertEquals(2, int8.exitCode(), int8.err());
        assertTrue(int8.err().contains("--int8 applies to uncompressed runs") && int8.err().contains("#q="),
                int8.err());
        CliRunner low = export(run, "--calibration-percentile", "40");
        assertEquals(2, low.exitCode(), low.err());
        assertTrue(low.err().contains("--calibration-percentile = 40.0"), low.err());
        try (var s = Files.walk(run)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".onnx")), "nothing written");
        }
    }
}
