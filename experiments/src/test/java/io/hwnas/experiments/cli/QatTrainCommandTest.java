package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas train --qat-from}: a compressed network's weights and ranges from trained weights, on synthetic data. */
class QatTrainCommandTest {

    private static final String BASE = "r32-w0.5|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3";
    private static final String[] SPACE = {"--space", "mobilenet", "--option", "resolutions=[32]", "--option",
        "widths=[0.5]"};

    private static String[] args(String... more) {
        String[] out = new String[SPACE.length + more.length + 1];
        out[0] = "train";
        System.arraycopy(SPACE, 0, out, 1, SPACE.length);
        System.arraycopy(more, 0, out, SPACE.length + 1, more.length);
        return out;
    }

    @Test
    void writesTheQuantisedNetworksWeightsAndRanges(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base.bin");
        int threads = io.hwnas.core.djl.DjlRuntime.threads();
        try {
            check(dir, base);
        } finally {
            io.hwnas.core.djl.DjlRuntime.setThreads(threads);
        }
    }

    private static void check(Path dir, Path base) throws Exception {
        String[] data = {"--dataset", "synthetic", "--batch", "16", "--train-size", "64", "--val-size", "50",
            "--train-option", "threads=1"};
        CliRunner t = CliRunner.run(concat(args("--arch", BASE, "--steps", "2", "--save", base.toString()), data));
        assertEquals(0, t.exitCode(), t.err());
        String arch = BASE + "#q=" + String.join(",", Collections.nCopies(38, "4/8")) + "#p="
                + String.join(",", Collections.nCopies(20, "50"));
        Path w = dir.resolve("qat.bin");
        Path ranges = dir.resolve("ranges.json");
        CliRunner q = CliRunner.run(concat(args("--arch", arch, "--qat-from", base.toString(), "--qat-base", BASE,
                "--steps", "2", "--save", w.toString(), "--qat-ranges", ranges.toString(), "--train-option",
                "bn_batches=2", "--json"), data));
        assertEquals(0, q.exitCode(), q.err());
        JsonNode o = new ObjectMapper().readTree(q.out());
        assertEquals(2, o.get("steps").asInt());
        assertEquals(2, o.get("options").get("bn_batches").asInt());
        assertTrue(Files.size(w) > 0 && Files.size(w) < Files.size(base) * 0.6, Files.size(w) + " vs "
                + Files.size(base));
        JsonNode r = new ObjectMapper().readTree(ranges.toFile());
        assertEquals("hwnas-activation-ranges/1", r.get("format").asText());
        assertTrue(r.get("layers").has("stem.conv") && r.get("layers").has("head.classifier"), r.toString());
        exportsWithTestAccuracy(dir, base, arch, w, ranges);
        CliRunner other = CliRunner.run(concat(args("--arch", arch, "--qat-from", base.toString(), "--qat-base",
                BASE.replaceFirst("k3e3", "k5e3"), "--steps", "0"), data));
        assertEquals(2, other.exitCode(), other.err());
        assertTrue(other.err().contains("k5e3") && other.err().contains(base.toString()), other.err());
        CliRunner epochs = CliRunner.run(args("--arch", arch, "--qat-from", "x.bin", "--qat-base", BASE, "--epochs",
                "2"));
        assertEquals(2, epochs.exitCode());
        assertTrue(epochs.err().contains("--epochs"), epochs.err());
        CliRunner alone = CliRunner.run(args("--arch", arch, "--qat-from", "x.bin"));
        assertEquals(2, alone.exitCode());
        assertTrue(alone.err().contains("--qat-base"), alone.err());
    }

    /**
     * The saved weights carry their input normalisation ({@code X.input.json} beside {@code X}), so a single export
     * from them measures its test top-1 in ONNX Runtime on the dataset's whole test split and adds it to the card.
     */
    private static void exportsWithTestAccuracy(Path dir, Path base, String arch, Path w, Path ranges)
            throws Exception {
        for (Path p : new Path[] {base, w}) {
            JsonNode rec = new ObjectMapper().readTree(dir.resolve(p.getFileName() + ".input.json").toFile());
            assertEquals("synthetic", rec.get("dataset").asText(), rec.toString());
            assertEquals("3x32x32", rec.get("target").asText(), rec.toString());
        }
        Path m = dir.resolve("m.onnx");
        String[] export = {"export", "--space", "mobilenet", "--option", "resolutions=[32]", "--option",
            "widths=[0.5]", "--arch", arch, "--classes", "10", "--weights", w.toString(), "--ranges",
            ranges.toString(), "--out", m.toString(), "--json"};
        CliRunner e = CliRunner.run(export);
        assertEquals(0, e.exitCode(), e.err());
        JsonNode o = new ObjectMapper().readTree(e.out());
        assertEquals(1000, o.get("test_images").asInt(), o.toString());
        double top1 = o.get("test_top1").asDouble();
        assertTrue(top1 >= 0 && top1 <= 100, o.toString());
        // measured as written and with ONNX Runtime's default QDQ transformations
        assertTrue(o.get("test_top1_ort_default").asDouble() >= 0, o.toString());
        String card = Files.readString(dir.resolve("m.card.md"));
        assertTrue(card.contains(String.format(java.util.Locale.ROOT, "test top-1 of m.onnx in ONNX Runtime: %.2f%%",
                top1)), card);
        CliRunner floatExport = CliRunner.run("export", "--space", "mobilenet", "--option", "resolutions=[32]",
                "--option", "widths=[0.5]", "--arch", BASE, "--classes", "10", "--weights", base.toString(), "--out",
                dir.resolve("f.onnx").toString());
        assertEquals(0, floatExport.exitCode(), floatExport.err());
        assertTrue(floatExport.out().contains("test top-1 in ONNX Runtime: ") && floatExport.out().contains(
                "of 1000 test images of synthetic"), floatExport.out());
        assertTrue(!floatExport.out().contains("as written"), floatExport.out());
        String[] skip = java.util.Arrays.copyOf(export, export.length + 1);
        skip[export.length] = "--no-test-accuracy";
        CliRunner skipped = CliRunner.run(skip);
        assertEquals(0, skipped.exitCode(), skipped.err());
        assertTrue(!new ObjectMapper().readTree(skipped.out()).has("test_top1"), skipped.out());
        Path rec = dir.resolve(w.getFileName() + ".input.json");
        Files.writeString(rec, Files.readString(rec).replace("3x32x32", "3x28x28"));
        CliRunner wrong = CliRunner.run(export);
        assertEquals(2, wrong.exitCode(), wrong.err());
        assertTrue(wrong.err().contains(rec.toString()) && wrong.err().contains("3x28x28"), wrong.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
