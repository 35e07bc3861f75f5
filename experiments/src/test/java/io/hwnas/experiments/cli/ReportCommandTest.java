package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas report} on bad input, {@code --compare} and {@code --figures}, on copies of the quick start's run. */
class ReportCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aTornJournalLineExitsTwoNamingTheLineAndWritesNothing() throws Exception {
        Path run = copy(QuickstartRun.dir(), tmp.resolve("torn"));
        List<String> lines = Files.readAllLines(run.resolve("evaluations.jsonl"));
        Files.writeString(run.resolve("evaluations.jsonl"), String.join("\n", lines.subList(0, 100)) + "\n"
                + lines.get(100).substring(0, 40));
        Map<String, String> before = snapshot(run);
        CliRunner r = CliRunner.run("report", run.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("evaluations.jsonl: line 101 is torn") && r.err().contains("--resume"), r.err());
        assertEquals(before, snapshot(run), "nothing written");
    }

    @Test
    void compareNeedsEveryParetoFileOneSpaceAndWritesNoOtherFile() throws Exception {
        Path a = QuickstartRun.dir();
        Path b = copy(a, tmp.resolve("b"));
        Files.delete(b.resolve("pareto/edge-tpu.json"));
        Path out = tmp.resolve("cmp.html");
        CliRunner r = CliRunner.run("report", "--compare", a.toString(), b.toString(), "--out", out.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("pareto/edge-tpu.json is missing") && r.err().contains("hwnas report"), r.err());
        assertFalse(Files.exists(out));

        Path c = copy(a, tmp.resolve("c"));
        Files.writeString(c.resolve("config.yaml"), Files.readString(c.resolve("config.yaml"))
                .replace("  options: {}\n", "  options: {prune: true}\n"));
        r = CliRunner.run("report", "--compare", a.toString(), c.toString(), "--out", out.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("one search space") && r.err().contains("prune=true"), r.err());
        assertFalse(Files.exists(out));

        Path mine = tmp.resolve("mine.html");
        Files.writeString(mine, "my page");
        r = CliRunner.run("report", "--compare", a.toString(), copy(a, tmp.resolve("d")).toString(), "--out",
                mine.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("my page", Files.readString(mine));
    }

    @Test
    void compareWritesOnePageWithAHypervolumeRowPerRun() throws Exception {
        Path a = QuickstartRun.dir();
        Path b = copy(a, tmp.resolve("b"));
        Path out = tmp.resolve("cmp.html");
        CliRunner r = CliRunner.run("report", "--compare", a.toString(), b.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        String html = Files.readString(out);
        assertTrue(html.contains("id=\"hv-table\"") && html.contains("1: quickstart") && html.contains("2: quickstart"));
        // the same fronts: the same hypervolume in both rows
        String table = html.substring(html.indexOf("id=\"hv-table\""), html.indexOf("</table>", html.indexOf("hv-table")));
        String[] rows = table.split("<tr>");
        assertEquals(rows[2].replaceAll("^.*?</td>", ""), rows[3].replaceAll("^.*?</td>", ""));
        // a second --compare replaces its own page
        assertEquals(0, CliRunner.run("report", "--compare", a.toString(), b.toString(), "--out", out.toString())
                .exitCode());
    }

    @Test
    void compareAcceptsRunsThatCompressTheSpaceDifferentlyAndPrintsHypervolumesAsJson() throws Exception {
        Path a = QuickstartRun.dir();
        Path b = copy(a, tmp.resolve("b"));
        String config = Files.readString(b.resolve("config.yaml"));
        String space = "space:\n  name: \"nb201\"\n";
        assertTrue(config.contains(space), config);
        Files.writeString(b.resolve("config.yaml"), config.replace(space,
                space + "  compression: {bits: [8], activation_bits: [8], prune: [0]}\n"));
        Path out = tmp.resolve("cmp.html");
        CliRunner r = CliRunner.run("report", "--compare", a.toString(), b.toString(), "--out", out.toString(),
                "--json");
        assertEquals(0, r.exitCode(), r.err());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(out.toString(), j.path("page").asText());
        assertEquals(2, j.path("runs").size());
        assertEquals("none", j.path("runs").get(0).path("compression").asText());
        assertTrue(j.path("runs").get(1).path("compression").asText().contains("prune"), r.out());
        for (String d : SearchCommandTest.DEVICES) {
            double hv = j.path("runs").get(0).path("hypervolume").path(d).asDouble(-1);
            assertTrue(hv > 0 && hv <= 1, d + ": " + r.out());
            assertEquals(hv, j.path("runs").get(1).path("hypervolume").path(d).asDouble(), 1e-12, d);
        }
        assertTrue(Files.readString(out).contains("compression {bits="), "the page names each run's compression");
        r = CliRunner.run("report", a.toString(), "--json");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--json applies to --compare only"), r.err());
    }

    /**
     * {@code --accuracy test} draws and scores the fronts with each member's test top-1 from its model card, so runs
     * of other spaces on one dataset compare; a card without it, or a model directory of another member, exits 2.
     */
    @Test
    void testAccuracyComesFromTheModelCardsAndComparesRunsOfOtherSpaces() throws Exception {
        Path a = copy(QuickstartRun.dir(), tmp.resolve("ta"));
        Path b = copy(a, tmp.resolve("tb"));
        Files.writeString(b.resolve("config.yaml"), Files.readString(b.resolve("config.yaml"))
                .replace("  options: {}\n", "  options: {prune: true}\n"));
        Path out = tmp.resolve("test.html");
        String[] args = {"report", "--compare", a.toString(), b.toString(), "--out", out.toString(), "--accuracy",
            "test", "--json"};
        CliRunner r = CliRunner.run(args);
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("has no test-top1.json (no test top-1 of model.onnx)") && r.err().contains(
                "hwnas export"), r.err());
        testTop1(a, 80.0, "fashion-mnist (directory /data/fm)");
        testTop1(b, 85.0, "fashion-mnist (directory /data/other)");
        r = CliRunner.run(args);
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--accuracy test compares members measured on one test split: ") && r.err()
                .contains("test-top1.json was measured on fashion-mnist (directory /data/fm), ") && r.err().contains(
                        "on fashion-mnist (directory /data/other)"), r.err());
        // every member of b 5 points better on the test images, whatever its validation accuracy
        testTop1(b, 85.0, "fashion-mnist (directory /data/fm)");
        r = CliRunner.run(args);
        assertEquals(0, r.exitCode(), r.err());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("test", j.path("accuracy").asText(), r.out());
        for (String d : SearchCommandTest.DEVICES) {
            // a's members all at the lowest test top-1: only the reference margin's sliver; b's at the highest
            assertTrue(j.path("runs").get(0).path("hypervolume").path(d).asDouble(-1) < 0.01, d + ": " + r.out());
            assertTrue(j.path("runs").get(1).path("hypervolume").path(d).asDouble() > 0.3, d + ": " + r.out());
        }
        assertTrue(Files.readString(out).contains("test top-1 on the test split of <b>fashion-mnist (directory "
                + "/data/fm)</b>"), "the page says which accuracy, on which images");
        assertEquals(2, CliRunner.run("report", "--compare", a.toString(), b.toString(), "--out", out.toString())
                .exitCode(), "validation accuracies of other spaces do not compare");
        Path arch = a.resolve("models/" + SearchCommandTest.DEVICES.get(0) + "/1/architecture.json");
        Files.writeString(arch, Files.readString(arch).replaceFirst("\"arch\" : \"[^\"]*\"", "\"arch\" : \"x\""));
        r = CliRunner.run(args);
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains(arch + " holds x, but member 1 of "), r.err());
        assertEquals(2, CliRunner.run("report", a.toString(), "--accuracy", "test").exitCode());
    }

    /** Writes the export's test top-1 record, at {@code top1} on {@code split}, beside every model card of a run. */
    private static void testTop1(Path run, double top1, String split) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (Stream<Path> files = Files.walk(run.resolve("models"))) {
            for (Path arch : files.filter(f -> f.getFileName().toString().equals("architecture.json")).toList()) {
                com.fasterxml.jackson.databind.node.ObjectNode o = json.createObjectNode().put("arch", json.readTree(
                        arch.toFile()).path("arch").asText()).put("test_split", split);
                o.putObject("models").putObject("model.onnx").put("top1", top1).put("images", 10_000);
                Files.writeString(arch.resolveSibling("test-top1.json"), json.writeValueAsString(o));
            }
        }
    }

    @Test
    void againstPairsRunsBySeedAndTestsTheHypervolumeDifferences() throws Exception {
        Path a1 = QuickstartRun.dir();
        Path a2 = copy(a1, tmp.resolve("a2"));
        Path b1 = dropMembers(copy(a1, tmp.resolve("b1")), "edge-tpu", 1);
        Path b2 = dropMembers(copy(a1, tmp.resolve("b2")), "edge-tpu", 2);
        Path out = tmp.resolve("cmp.html");
        CliRunner r = CliRunner.run("report", "--compare", a1.toString(), a2.toString(), "--against", b1.toString(),
                b2.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(4, j.path("runs").size(), "the page holds both arms");
        assertEquals(SearchCommandTest.DEVICES.size(), j.path("paired").size(), r.out());
        for (com.fasterxml.jackson.databind.JsonNode d : j.path("paired")) {
            com.fasterxml.jackson.databind.JsonNode pairs = d.path("pairs");
            assertEquals(2, pairs.size());
            boolean thinned = d.path("device").asText().equals("edge-tpu");
            for (com.fasterxml.jackson.databind.JsonNode p : pairs) {
                double diff = p.path("a_hypervolume").asDouble() - p.path("b_hypervolume").asDouble();
                assertTrue(thinned ? diff > 0 : diff == 0, d.path("device") + ": " + p);
            }
            assertEquals(thinned ? 2 : 0, d.path("a_ahead").asInt(), r.out());
            assertEquals(0, d.path("b_ahead").asInt(), r.out());
            com.fasterxml.jackson.databind.JsonNode t = d.path("paired");
            assertEquals(thinned, t.path("t").isNumber() && t.path("t").asDouble() > 0, r.out());
            assertEquals(thinned, t.path("p_value").isNumber(), r.out());
        }
        assertTrue(r.err().contains("paired by seed, edge-tpu: first arm ahead on 2 of 2 pairs"), r.err());

        // a wider reference margin lets the extreme members count: a larger hypervolume
        r = CliRunner.run("report", "--compare", a1.toString(), b1.toString(), "--out", out.toString(), "--json",
                "--reference-margin", "0.1");
        assertEquals(0, r.exitCode(), r.err());
        double wide = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).path("runs").get(0)
                .path("hypervolume").path("edge-tpu").asDouble();
        assertTrue(wide > j.path("runs").get(0).path("hypervolume").path("edge-tpu").asDouble(), r.out());

        // pairs of different seeds, unequal arms and a bad margin exit 2 and write nothing
        Path page = tmp.resolve("none.html");
        Path seeded = copy(a1, tmp.resolve("seeded"));
        Files.writeString(seeded.resolve("config.yaml"), Files.readString(seeded.resolve("config.yaml"))
                .replaceFirst("(?m)^seed: .*$", "seed: 12345"));
        r = CliRunner.run("report", "--compare", a1.toString(), "--against", seeded.toString(), "--out",
                page.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains(seeded + " has seed 12345"), r.err());
        r = CliRunner.run("report", "--compare", a1.toString(), a2.toString(), "--against", b1.toString(), "--out",
                page.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("2 runs against 1"), r.err());
        r = CliRunner.run("report", "--compare", a1.toString(), b1.toString(), "--reference-margin", "-1", "--out",
                page.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--reference-margin -1.0 is not allowed"), r.err());
        assertFalse(Files.exists(page));
        assertTrue(CliRunner.run("report", a1.toString(), "--against", b1.toString()).err()
                .contains("--against applies to --compare only"));
    }

    /** Removes a run's {@code n} most accurate members for one device from its Pareto file. */
    private static Path dropMembers(Path run, String device, int n) throws IOException {
        Path file = run.resolve("pareto/" + device + ".json");
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(file.toFile());
        var members = (com.fasterxml.jackson.databind.node.ArrayNode) root.path("members");
        assertTrue(members.size() > n + 2, "enough members to thin: " + members.size());
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < members.size(); k++) {
                double a = members.get(k).path("accuracy").asDouble();
                best = a > members.get(best).path("accuracy").asDouble() ? k : best;
            }
            members.remove(best);
        }
        mapper.writeValue(file.toFile(), root);
        return run;
    }

    @Test
    void figuresWritesEveryChartAsSvgOrPdf() throws Exception {
        Path run = copy(QuickstartRun.dir(), tmp.resolve("fig"));
        CliRunner r = CliRunner.run("report", run.toString(), "--figures", "svg");
        assertEquals(0, r.exitCode(), r.err());
        for (String d : SearchCommandTest.DEVICES) {
            for (String f : List.of("-accuracy-vs-latency_ms.svg", "-accuracy-vs-energy_mj.svg", "-hypervolume.svg")) {
                String svg = Files.readString(run.resolve("figures/" + d + f));
                assertTrue(svg.contains("<svg") && svg.contains("</svg>"), d + f);
            }
        }
        r = CliRunner.run("report", run.toString(), "--figures", "pdf");
        assertEquals(0, r.exitCode(), r.err());
        byte[] pdf = Files.readAllBytes(run.resolve("figures/raspi4-accuracy-vs-latency_ms.pdf"));
        assertTrue(new String(pdf, 0, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("%PDF-") && pdf.length > 1000);
        r = CliRunner.run("report", run.toString(), "--figures", "png");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("expected svg or pdf"), r.err());
    }

    static Path copy(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!p.getFileName().toString().equals("driver.lock")) {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }

    /** Every file's path, size and modification time. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            out.put(dir.relativize(f).toString(), Files.size(f) + " " + Files.getLastModifiedTime(f));
        }
        return out;
    }
}
