package io.hwnas.experiments.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.experiments.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A candidate whose training diverges is journaled FAILED with the step where the loss stopped
 * being finite; before, its NaN logits scored class 0 everywhere and it was journaled OK at chance.
 */
class DivergedTrainingRunTest {

    static final String CONFIG = """
            name: diverged
            seed: 4
            space:
              name: mobilenet
              options: {resolutions: [32], widths: [0.5], stem_stride: 2}
            dataset: {name: synthetic}
            accuracy:
              name: train
              options: {steps: 20, batch: 32, lr: 100, warmup: 0, train_size: 256, val_size: 64, threads: 1}
            devices:
              - name: raspi4
            objectives: [latency_ms]
            strategy: {name: random, batch_size: 2}
            budget: 2
            executor: {name: local, parallelism: 1}
            """;

    @TempDir
    Path tmp;

    @Test
    void aDivergedTrainingIsJournaledFailedWithItsMessage() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.yaml"), CONFIG);
        Path out = tmp.resolve("run");
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = Files.readAllLines(out.resolve("evaluations.jsonl"));
        assertEquals(2, lines.size());
        ObjectMapper json = new ObjectMapper();
        for (String l : lines) {
            JsonNode n = json.readTree(l);
            assertEquals("FAILED", n.get("status").asText(), l);
            assertTrue(n.get("error").asText().matches(
                    "TrainingDivergedException: training loss became (NaN|infinite) at step \\d+ of 20 .*"), l);
            assertTrue(!n.get("metrics").has("accuracy"), l);
        }
    }
}
