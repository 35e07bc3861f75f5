package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccuracyCommandsTest {

    static final String RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|";
    static final String CUT = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|";

    private static JsonNode json(CliRunner r) throws Exception {
        assertEquals(0, r.exitCode(), r.err());
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void proxyScoresAFileOfArchitecturesInOrder(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("archs.txt"), RESNET + "\n\n" + CUT + "\n");
        JsonNode o = json(CliRunner.run("proxy", "--space", "nb201", "--proxy", "params", "--archs", f.toString(),
                "--json"));
        assertEquals(2, o.get("scores").size());
        assertEquals(0.559386, o.get("scores").get(0).asDouble(), 1e-6);
        assertEquals(CUT, o.get("archs").get(1).asText());
        JsonNode s = json(CliRunner.run("proxy", "--space", "nb201", "--proxy", "synflow", "--arch", RESNET, "--json"));
        assertEquals(1, s.get("scores").size());
        assertTrue(s.get("scores").get(0).asDouble() > 50, s.toString());
        assertEquals("an all-ones input of 3x32x32", s.get("data").asText());
        assertEquals("none (counts of the IR)", o.get("data").asText());
    }

    @Test
    void badProxyInputExitsWithUsageErrors(@TempDir Path dir) throws Exception {
        CliRunner r = CliRunner.run("proxy", "--space", "nb201", "--proxy", "synflw", "--arch", RESNET);
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("synflw") && r.err().contains("synflow"), r.err());
        Path f = Files.writeString(dir.resolve("bad.txt"), RESNET + "\n|bogus|\n");
        r = CliRunner.run("proxy", "--space", "nb201", "--proxy", "params", "--archs", f.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("bad.txt:2"), r.err());
        r = CliRunner.run("proxy", "--space", "nb201", "--proxy", "table", "--arch", RESNET);
        assertEquals(2, r.exitCode());
        r = CliRunner.run("proxy", "validate", "--space", "nb201", "--proxy", "flops", "--reference", "nb201:mnist",
                "--sample", "10");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("nb201:cifar100"), r.err());
        r = CliRunner.run("proxy", "--space", "nb201", "--proxy", "nwot", "--proxy-option", "batch=1", "--arch", RESNET);
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("batch = 1"), r.err());
    }

    @Test
    void validateCorrelatesWithThePublishedTable() throws Exception {
        long t0 = System.nanoTime();
        JsonNode o = json(CliRunner.run("proxy", "validate", "--space", "nb201", "--proxy", "flops", "--reference",
                "nb201:cifar10", "--sample", "300", "--seed", "1", "--json"));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        assertEquals(300, o.get("n").asInt());
        // FLOPs' Spearman with cifar10 accuracy over all 15,625 cells is 0.75
        assertTrue(o.get("spearman").asDouble() > 0.6, o.toString());
        assertTrue(o.get("kendall").asDouble() > 0.4 && o.get("kendall").asDouble() < o.get("spearman").asDouble());
        // the proxy's time per architecture fits in the command's own wall time, shared by the 300
        double perArch = o.get("seconds_per_arch").asDouble();
        assertTrue(perArch > 0 && perArch <= elapsed / 300, perArch + " s per arch, command took " + elapsed + " s");
    }

    @Test
    void trainsOnSyntheticDataAndSavesWeights(@TempDir Path dir) throws Exception {
        Path w = dir.resolve("w.bin");
        long t0 = System.nanoTime();
        JsonNode o = json(CliRunner.run("train", "--space", "nb201", "--arch", RESNET, "--dataset", "synthetic",
                "--steps", "4", "--batch", "16", "--val-size", "100", "--train-size", "64", "--save", w.toString(),
                "--json"));
        assertEquals(4, o.get("steps").asInt());
        assertEquals(4, o.get("loss_curve").size());
        assertEquals(100, o.get("validation_images").asInt());
        double elapsed = (System.nanoTime() - t0) / 1e9;
        // top-1 over 100 validation images is a whole percentage; 4 steps of 16 images ran within the command's time
        double top1 = o.get("top1").asDouble();
        assertTrue(top1 >= 0 && top1 <= 100 && Math.abs(top1 - Math.rint(top1)) < 1e-9, o.toString());
        assertTrue(o.get("images_per_s").asDouble() >= 4 * 16 / elapsed, o + " in " + elapsed + " s");
        assertTrue(Files.size(w) > 4 * 500_000);
        CliRunner r = CliRunner.run("train", "--space", "nb201", "--arch", RESNET, "--dataset", "imagenet");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("fashion-mnist"), r.err());
    }

    @Test
    void benchIsAParentCommand() {
        CliRunner r = CliRunner.run("bench");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("train"), r.err());
        assertEquals(0, CliRunner.run("bench", "train", "--help").exitCode());
    }

    @Test
    void benchTrainPrintsThePeersFiguresInBothLayouts() throws Exception {
        for (String format : new String[] {"channels-last", "contiguous"}) {
            long t0 = System.nanoTime();
            JsonNode o = json(CliRunner.run("bench", "train", "--space", "nb201", "--arch", RESNET, "--batch", "4",
                    "--steps", "1", "--rounds", "3", "--synflow-runs", "1", "--threads", "1", "--memory-format", format,
                    "--json"));
            double elapsed = (System.nanoTime() - t0) / 1e9;
            assertEquals(format, o.get("memory_format").asText());
            assertEquals(3, o.get("rounds").asInt());
            // each round's step of 4 images (and its inference batch, and its synflow score) ran within the
            // command's wall time, so every median rate is at least 4 images / that time
            assertTrue(o.get("train_images_per_s").asDouble() >= 4 / elapsed, o + " in " + elapsed + " s");
            assertTrue(o.get("infer_images_per_s").asDouble() >= 4 / elapsed, o + " in " + elapsed + " s");
            assertTrue(o.get("infer_onnxruntime_images_per_s").asDouble() >= 4 / elapsed, o + " in " + elapsed + " s");
            double synflow = o.get("synflow_s_per_arch").asDouble();
            assertTrue(synflow > 0 && synflow <= elapsed, o + " in " + elapsed + " s");
        }
        CliRunner r = CliRunner.run("bench", "train", "--space", "nb201", "--arch", RESNET, "--memory-format", "nhwc");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("nhwc") && r.err().contains("channels-last"), r.err());
        r = CliRunner.run("bench", "train", "--space", "nb201", "--arch", RESNET, "--rounds", "0");
        assertEquals(2, r.exitCode());
    }
}
