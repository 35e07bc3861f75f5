package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every problem of a config, plugin option values and device binding included, in one message, exit 2. */
class ConfigProblemsCommandTest {

    @TempDir
    Path tmp;

    @Test
    void everyProblemOfAConfigIsPrintedInOnePassAndExitsTwo() throws Exception {
        String text = SearchCommandTest.read(SearchCommandTest.QUICKSTART)
                .replace("options: {population: 24}", "options: {population: -4, mutaton: 0.2}")
                .replace("  - name: edge-tpu       # int8 systolic NPU",
                        "  - name: edge-tpu       # int8 systolic NPU\n    profile: no-such-device")
                .replace("options: {dataset: cifar10}", "options: {dataset: cifar11}")
                .replace("executor: {name: local, parallelism: 2}",
                        "executor: {name: slurm, parallelism: 2, options: {max_retries: -1, mem: lots}}");
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, text);
        CliRunner r = CliRunner.run("search", "--config", bad.toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.err());
        String err = r.err();
        List<String> expected = List.of(
                bad + ": strategy.options.population: ",
                bad + ": strategy.options.mutaton: ",
                bad + ": accuracy.options.dataset: ",
                bad + ": devices[2]: ",
                bad + ": executor.options.max_retries = -1",
                bad + ": executor.options.mem = \"lots\"");
        for (String e : expected) {
            assertTrue(err.contains(e), "missing '" + e + "' in:\n" + err);
        }
        assertTrue(err.contains("no-such-device") && err.contains("cifar11") && err.contains("-4"), err);
        assertTrue(err.contains(expected.size() + " problems in the config:"), err);
        assertEquals(expected.size(), err.lines().filter(l -> l.startsWith("  " + bad + ": ")).count(), err);
        assertFalse(Files.exists(tmp.resolve("x")), "nothing is written for a bad config");
    }
    /**
     * {@code strategy.options.initial}: an entry that is not an architecture of the space exits 2 naming it before
     * anything is written; valid entries are the run's first evaluations, in order.
     */
    @Test
    void initialArchitecturesAreCheckedAgainstTheSpaceAndEvaluatedFirst() throws Exception {
        String large = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
                + "nor_conv_3x3~2|";
        String small = "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|";
        String base = SearchCommandTest.read(SearchCommandTest.QUICKSTART).replace("budget: 240", "budget: 30")
                .replace("executor: {name: local, parallelism: 2}", "executor: {name: local, parallelism: 1}");
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, base.replace("options: {population: 24}", "options: {population: 24, initial: ['"
                + large + "', 'r32-w0.5|k3e3']}"));
        CliRunner r = CliRunner.run("search", "--config", bad.toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains(bad + ": strategy.options: strategy nsga2: initial[1] 'r32-w0.5|k3e3' is not an "
                + "architecture of space 'nb201': "), r.err());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing is written for a bad config");
        Path good = tmp.resolve("good.yaml");
        Files.writeString(good, base.replace("options: {population: 24}", "options: {population: 24, initial: ['"
                + large + "', '" + small + "']}"));
        r = CliRunner.run("search", "--config", good.toString(), "--out", tmp.resolve("y").toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        List<String> journal = Files.readAllLines(tmp.resolve("y/evaluations.jsonl")); // in order: one at a time
        assertEquals(30, journal.size());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> first = List.of(json.readTree(journal.get(0)).path("architecture").path("arch").asText(),
                json.readTree(journal.get(1)).path("architecture").path("arch").asText());
        assertEquals(List.of(large, small), first, "the listed architectures are evaluated first");
    }

    @Test
    void theDatasetTheLocalExecutorsOptionsAndIntegerRangesAreCheckedWithTheRest() throws Exception {
        String text = SearchCommandTest.read(SearchCommandTest.QUICKSTART)
                .replace("seed: 1", "seed: 9223372036854775808\ndataset: {name: cifar11, colour: rgb}")
                .replace("executor: {name: local, parallelism: 2}",
                        "executor: {name: local, parallelism: 2, options: {threads: 4, mem: 4G}}");
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, text);
        CliRunner r = CliRunner.run("search", "--config", bad.toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.err());
        List<String> expected = List.of(
                bad + ": seed = 9223372036854775808 is not allowed; expected an integer in ",
                bad + ": dataset.colour is not a known field; expected one of [dir, name]",
                bad + ": dataset.name = \"cifar11\" is not allowed; expected one of [fashion-mnist, cifar10, synthetic]",
                bad + ": executor.options.threads is not a known field; expected no options",
                bad + ": executor.options.mem is not a known field; expected no options");
        for (String e : expected) {
            assertTrue(r.err().contains(e), "missing '" + e + "' in:\n" + r.err());
        }
        assertTrue(r.err().contains(expected.size() + " problems in the config:"), r.err());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing is written for a bad config");
    }

    @Test
    void filesThatCannotBeReadAsOneConfigExitTwoWithOneLineAndNoTrace() throws Exception {
        String good = SearchCommandTest.read(SearchCommandTest.QUICKSTART);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("dup.yaml", (good + "budget: 10\n").getBytes(StandardCharsets.UTF_8));
        files.put("two.yaml", (good + "---\nbudget: 10\n").getBytes(StandardCharsets.UTF_8));
        files.put("alias.yaml", good.replace("seed: 1", "seed: &s 1").replace("budget: 240", "budget: *s")
                .getBytes(StandardCharsets.UTF_8));
        files.put("latin1.yaml", (good + "name: caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
        files.put("deep.json", ("{\"budget\": " + "[".repeat(1_001) + "]".repeat(1_001) + "}")
                .getBytes(StandardCharsets.UTF_8));
        Map<String, String> says = Map.of("dup.yaml", "budget: duplicate key at line", "two.yaml",
                "a second document at line", "alias.yaml", "budget: *s at line " + (good.lines().toList().indexOf("budget: 240") + 1) + " is a YAML alias", "latin1.yaml",
                "not UTF-8 text at byte", "deep.json", "nested deeper than 100 levels at line 1");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path file = tmp.resolve(f.getKey());
            Files.write(file, f.getValue());
            CliRunner r = CliRunner.run("search", "--config", file.toString(), "--out", tmp.resolve("x").toString());
            assertEquals(2, r.exitCode(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains(file + ": ") && r.err().contains(says.get(f.getKey())), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("x")), "nothing is written for a bad config");
    }
}
