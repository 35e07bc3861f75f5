package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.quant.ActivationRange;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.io.Json;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.experiments.cli.CliRunner;
import io.hwnas.experiments.export.mixed.ActivationRangesFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas export} of compressed architectures: base weights pruned, ranges files, model card, bad input. */
class CompressedExportCommandTest {

    static final String BASE = MixedQdqExportTest.MOBILE;
    static final String[] OPTS = {"--option", "resolutions=[32]", "--option", "widths=[0.5]", "--option",
        "compression={bits: [4, 8, 32], activation_bits: [8, 32], prune: [0, 0.5]}"};

    @TempDir
    Path dir;

    static Path saveBase(String arch, Path file) {
        SearchSpace s = SearchSpaces.get("mobilenet", Map.of("resolutions", List.of(32), "widths", List.of(0.5)));
        Network net = s.network(s.parse(arch), s.defaultInput(), s.defaultClasses());
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, 1);
            BatchNormStatistics.calibrate(block, Verification.gaussian(new SplittableRandom(4),
                    16 * net.inputShape().elements()), DjlNetworks.inputShape(net, 16).getShape());
            WeightsFile.save(block, file);
        }
        return file;
    }

    private static String arch(String q, int p) {
        SearchSpace s = io.hwnas.core.space.compress.CompressedSpaces.get("mobilenet", Map.of("resolutions",
                List.of(32), "widths", List.of(0.5), "compression", Map.of("bits", List.of(4, 8, 32),
                        "activation_bits", List.of(8, 32), "prune", List.of(0, 0.5))));
        return MixedQdqExportTest.uniform(s, q, p).canonical();
    }

    private CliRunner export(String arch, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("export", "--space", "mobilenet"));
        args.addAll(List.of(OPTS));
        args.addAll(List.of("--arch", arch, "--format", "onnx", "--calibration-samples", "32", "--check-samples",
                "64"));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void prunedInt4ExportFromBaseWeightsWithCardAndVerification() throws Exception {
        Path w = saveBase(BASE, dir.resolve("base.params"));
        Path out = dir.resolve("m.onnx");
        CliRunner r = export(arch("4/8", 50), "--weights", w.toString(), "--out", out.toString(), "--verify",
                "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("base network, pruned by weight inheritance", j.path("weights").asText());
        assertTrue(j.path("verify").path("within_tolerance").asBoolean(), j.toString());
        // what quantisation-aware training runs (FakeQuantisation) is what ONNX Runtime runs
        assertTrue(j.path("verify").path("fake_quantised_top1_agreement").asDouble() >= 0.99, j.toString());
        JsonNode first = j.path("compression").get(0);
        assertEquals("int4 DequantizeLinear (per channel)", first.path("weights_stored").asText());
        assertEquals("uint8 QDQ", first.path("input_stored").asText());
        assertTrue(first.path("kept_channels").asInt() * 2 <= first.path("channels").asInt() + 1, first.toString());
        String card = Files.readString(CompressedFileExport.card(out));
        assertTrue(card.contains("| stem.conv | 4 | 8 | " + first.path("kept_channels").asInt() + "/"
                + first.path("channels").asInt() + " | int4 DequantizeLinear (per channel) | uint8 QDQ | - |"), card);
        assertTrue(j.path("bytes").asLong() < 0.25 * j.path("float_bytes").asLong(), j.toString());
    }

    @Test
    void percentileCalibrationClipsEachInputAtTheOrderStatistic() {
        SearchSpace s = SearchSpaces.get("mobilenet", Map.of("resolutions", List.of(32), "widths", List.of(0.5)));
        Network net = s.network(s.parse(BASE), s.defaultInput(), 10); // the float network the export calibrates on
        List<String> layers = CompressedExport.macLayers(net).stream().map(Layer::name).toList();
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, 1);
            onnx.Onnx.ModelProto model = OnnxExporter.folding().export(block, Map.of());
            float[] x = Verification.gaussian(new SplittableRandom(7), 32 * net.inputShape().elements());
            long[] shape = {32, 3, 32, 32};
            ActivationRangesFile minMax = io.hwnas.experiments.export.mixed.RangeCalibration.calibrate(model, layers,
                    x, shape);
            ActivationRangesFile clipped = io.hwnas.experiments.export.mixed.RangeCalibration.calibrate(model, layers,
                    x, shape, 99.9);
            // stem.conv reads the images: one chunk of 32, so its range is that chunk's nearest-rank percentile
            io.hwnas.core.quant.ActivationRange stem = io.hwnas.core.quant.PercentileRange.of(x, 99.9);
            assertEquals((float) stem.lo(), clipped.require("stem.conv").lo());
            assertEquals((float) stem.hi(), clipped.require("stem.conv").hi());
            int narrower = 0;
            for (String l : layers) {
                ActivationRange c = clipped.require(l);
                ActivationRange f = minMax.require(l);
                assertTrue(c.lo() >= f.lo() && c.hi() <= f.hi(), l + ": " + c + " vs " + f);
                narrower += c.hi() - c.lo() < f.hi() - f.lo() ? 1 : 0;
            }
            // equal where ReLU6 saturates more than 0.1% of the values at 6 (how many depends on the initial weights)
            assertTrue(narrower >= 1 && clipped.require("stem.conv").hi() < minMax.require("stem.conv").hi(),
                    narrower + " of " + layers.size() + " narrower");
            assertTrue(clipped.source().contains("percentile 99.9"), clipped.source());
        }
    }

    @Test
    void percentileExportVerifiesAndBadPercentilesExit2() throws Exception {
        String a = arch("8/8", 0);
        CliRunner ok = export(a, "--calibration-percentile", "99.9", "--out", dir.resolve("p.onnx").toString(),
                "--verify", "--json");
        assertEquals(0, ok.exitCode(), ok.err());
        JsonNode j = Json.MAPPER.readTree(ok.out());
        assertTrue(j.path("activation_ranges").asText().contains("percentile 99.9"), j.toString());
        assertTrue(j.path("verify").path("within_tolerance").asBoolean(), j.toString());
        CliRunner low = export(a, "--calibration-percentile", "40", "--out", dir.resolve("q.onnx").toString());
        assertEquals(2, low.exitCode(), low.err());
        assertTrue(low.err().contains("--calibration-percentile = 40.0") && low.err().contains("above 50"),
                low.err());
        assertTrue(!Files.exists(dir.resolve("q.onnx")));
        Path ranges = dir.resolve("r.json");
        Files.writeString(ranges, "{\"format\": \"hwnas-activation-ranges/1\", \"layers\": {}}");
        CliRunner both = export(a, "--calibration-percentile", "99", "--ranges", ranges.toString(), "--out",
                dir.resolve("b.onnx").toString());
        assertEquals(2, both.exitCode(), both.err());
        assertTrue(both.err().contains("--calibration-percentile") && both.err().contains(ranges.toString()),
                both.err());
    }

    @Test
    void rangesFromAFileAndBadRangesOrWeightsExit2NamingTheFile() throws Exception {
        String a = arch("8/8", 0);
        SearchSpace s = io.hwnas.core.space.compress.CompressedSpaces.forText(SearchSpaces.get("mobilenet",
                Map.of("resolutions", List.of(32), "widths", List.of(0.5))), a);
        Map<String, ActivationRange> all = new LinkedHashMap<>();
        for (Layer l : CompressedExport.macLayers(s.network(s.parse(a), s.defaultInput(), 10))) {
            all.put(l.name(), new ActivationRange(-3, 6));
        }
        Path ranges = dir.resolve("ranges.json");
        new ActivationRangesFile("test", all).write(ranges);
        CliRunner ok = export(a, "--ranges", ranges.toString(), "--out", dir.resolve("r.onnx").toString(), "--json");
        assertEquals(0, ok.exitCode(), ok.err());
        assertEquals(ranges.toString(), Json.MAPPER.readTree(ok.out()).path("activation_ranges").asText());

        all.remove("first.dw.conv");
        Path missing = dir.resolve("missing.json");
        new ActivationRangesFile("test", all).write(missing);
        CliRunner m = export(a, "--ranges", missing.toString(), "--out", dir.resolve("x.onnx").toString());
        assertEquals(2, m.exitCode(), m.err());
        assertTrue(m.err().contains(missing.toString()) && m.err().contains("layers.first.dw.conv"), m.err());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"format\": \"hwnas-activation-ranges/1\", \"layers\": {\"stem.conv\": {\"lo\": 2,"
                + " \"hi\": 1}}}");
        CliRunner b = export(a, "--ranges", bad.toString(), "--out", dir.resolve("y.onnx").toString());
        assertEquals(2, b.exitCode(), b.err());
        assertTrue(b.err().contains(bad.toString()) && b.err().contains("layers.stem.conv"), b.err());

        Path other = saveBase("r32-w0.5|k5e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3", dir.resolve("o.params"));
        CliRunner o = export(a, "--weights", other.toString(), "--out", dir.resolve("z.onnx").toString());
        assertEquals(2, o.exitCode(), o.err());
        assertTrue(o.err().contains(other.toString()) && o.err().contains("fits neither"), o.err());
    }
}
