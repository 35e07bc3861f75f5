package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.experiments.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas export RUN_DIR} twice gives the same files: the card's export section is replaced, not appended. */
class RunDirectoryExportTest {

    @TempDir
    Path dir;

    static final ObjectMapper JSON = new ObjectMapper();

    /** Every file under the run, by relative path; measured latencies (timing, not content) masked in the cards. */
    static Map<String, byte[]> snapshot(Path run) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                if (p.getFileName().toString().equals(RunDirectoryExport.CARD)) {
                    b = new String(b, java.nio.charset.StandardCharsets.UTF_8)
                            .replaceAll("latency on this host: [0-9.]+ ms", "latency on this host: X ms")
                            .replaceAll("latency int8 [0-9.]+ ms, float [0-9.]+ ms", "latency int8 X ms, float X ms")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                out.put(run.relativize(p).toString(), b);
            }
        }
        return out;
    }

    @Test
    void calibrationOptionsAnUncompressedRunWouldNotUseExit2() throws Exception {
        Path run = dir.resolve("runs/plain");
        Path member = Files.createDirectories(run.resolve("models/edgegpu/1"));
        Files.writeString(run.resolve("config.yaml"), "name: plain\nspace:\n  name: nb201\n  input: 3x16x16\n");
        Files.writeString(member.resolve("architecture.json"), JSON.writeValueAsString(SearchSpaces.get("nb201")
                .parse(ExportCommandTest.CONV1)));
        for (String[] flags : new String[][] {{"--calibration-percentile", "99"}, {"--calibration", "synthetic"}}) {
            CliRunner r = CliRunner.run("export", run.toString(), "--format", "onnx", flags[0], flags[1]);
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains("apply to --int8 exports and to runs of compressed architectures"), r.err());
        }
        assertTrue(Files.notExists(member.resolve(RunDirectoryExport.MODEL)));
    }

    @Test
    void exportingARunTwiceGivesTheSameFiles() throws Exception {
        Path run = dir.resolve("runs/twice");
        Files.createDirectories(run.resolve("pareto"));
        Files.writeString(run.resolve("config.yaml"),
                "name: twice\nspace:\n  name: nb201\n  options:\n    prune: false\n  input: 3x16x16\n");
        SearchSpace s = SearchSpaces.get("nb201");
        String[] archs = {ExportCommandTest.MIXED, ExportCommandTest.CONV1};
        for (int k = 0; k < archs.length; k++) {
            Architecture a = s.parse(archs[k]);
            Path member = Files.createDirectories(run.resolve("models/edgegpu/" + (k + 1)));
            Files.writeString(member.resolve("architecture.json"), JSON.writeValueAsString(a));
            Files.writeString(member.resolve("model-card.md"), "# Model " + (k + 1) + "\n\npredicted costs\n");
            if (k == 0) {
                ExportCommandTest.saveWeights("nb201", archs[k], new Shape(3, 16, 16), member.resolve("weights.params"));
            }
        }
        CliRunner first = CliRunner.run("export", run.toString(), "--format", "onnx", "--int8",
                "--calibration-samples", "8", "--check-samples", "8");
        assertEquals(0, first.exitCode(), first.err());
        Map<String, byte[]> once = snapshot(run);
        CliRunner second = CliRunner.run("export", run.toString(), "--format", "onnx", "--int8",
                "--calibration-samples", "8", "--check-samples", "8");
        assertEquals(0, second.exitCode(), second.err());
        Map<String, byte[]> twice = snapshot(run);
        assertEquals(once.keySet(), twice.keySet());
        for (String f : once.keySet()) {
            assertArrayEquals(once.get(f), twice.get(f), f);
        }
        for (int k = 1; k <= 2; k++) {
            String card = Files.readString(run.resolve("models/edgegpu/" + k + "/model-card.md"));
            assertTrue(card.startsWith("# Model " + k + "\n\npredicted costs\n\n## ONNX export\n"), card);
            assertEquals(1, card.split("## ONNX export", -1).length - 1, card);
            assertEquals(1, card.split("- int8 \\(QDQ", -1).length - 1, card);
            assertTrue(once.containsKey("models/edgegpu/" + k + "/model.onnx")
                    && once.containsKey("models/edgegpu/" + k + "/model-int8.onnx"), once.keySet().toString());
        }
    }
}
