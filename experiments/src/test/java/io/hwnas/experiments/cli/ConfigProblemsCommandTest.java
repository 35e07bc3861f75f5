package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
