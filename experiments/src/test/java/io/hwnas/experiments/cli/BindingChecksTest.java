package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Problems that used to fail every evaluation (a cost model without what it needs, an estimator that does not
 * serve the space, a bad profile setting) are found when the run is bound: all at once, exit 2, nothing written.
 */
class BindingChecksTest {

    @TempDir
    Path tmp;

    private Path badPrecisionProfile() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/devices/edge-tpu.json")) {
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("\"name\": \"edge-tpu\"", "\"name\": \"my-npu\"")
                    .replace("\"precision\": \"int8\"", "\"precision\": \"int3\"");
            return Files.writeString(tmp.resolve("my-npu.json"), json);
        }
    }

    @Test
    void everyDeviceAndEstimatorProblemIsReportedBeforeAnyWork() throws Exception {
        Path profile = badPrecisionProfile();
        String text = """
                name: checks
                seed: 1
                space: {name: nb201}
                accuracy: {name: table, options: {dataset: cifar10}}
                devices:
                  - {name: tx2, profile: jetson-tx2, model: lut}
                  - {name: akida, profile: akida, model: table}
                  - {name: mine, profile: %s}
                  - {name: pi, profile: raspi4, model: neuromorphic}
                  - {name: pi-npu, profile: raspi4, model: npu}
                  - {name: pi-table, profile: raspi4, model: table}
                objectives: [latency_ms]
                strategy: {name: random, batch_size: 4}
                budget: 4
                executor: {name: local, parallelism: 1}
                """.formatted(profile);
        Path config = Files.writeString(tmp.resolve("checks.yaml"), text);
        Path out = tmp.resolve("run");
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", out.toString(), "--quiet");
        assertEquals(2, r.exitCode(), r.err());
        List<String> expected = List.of(
                config + ": devices[0]: device 'jetson-tx2' has no lookup table (setting lut)",
                config + ": devices[1]: device 'akida' has no measurement table for space 'nb201'",
                config + ": devices[2]: " + profile + ": setting precision = 'int3' is not allowed",
                config + ": devices[3]: cost model 'neuromorphic' cannot cost device 'raspi4' of kind cpu",
                config + ": devices[4]: cost model 'npu' cannot cost device 'raspi4' of kind cpu");
        for (String e : expected) {
            assertTrue(r.err().contains(e), "missing '" + e + "' in:\n" + r.err());
        }
        assertTrue(r.err().contains(expected.size() + " problems in the config:"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void theTableEstimatorOnAnotherSpaceIsAProblemWithTheOthers() throws Exception {
        String text = """
                name: fb
                seed: 1
                space: {name: fbnet}
                accuracy: {name: table}
                devices:
                  - {name: tx2, profile: jetson-tx2, model: lut}
                objectives: [latency_ms]
                strategy: {name: random, batch_size: 4}
                budget: 4
                executor: {name: local, parallelism: 1}
                """;
        Path config = Files.writeString(tmp.resolve("fb.yaml"), text);
        Path out = tmp.resolve("run");
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", out.toString(), "--quiet");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains(config + ": accuracy: accuracy estimator table has published accuracies for "
                + "space nb201 only, not 'fbnet'"), r.err());
        assertTrue(r.err().contains(config + ": devices[0]: device 'jetson-tx2' has no lookup table"), r.err());
        assertTrue(r.err().contains("2 problems in the config:"), r.err());
        assertFalse(Files.exists(out), "nothing is written");
    }
}
