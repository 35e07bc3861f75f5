package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench fidelity} on synthetic data: both runs share the pool and the flat one never spends more steps. */
class BenchFidelityCommandTest {

    @TempDir
    Path tmp;

    @Test
    void comparesBothSchedulesOverTheSamePoolWithTheSameSteps() throws Exception {
        Path config = tmp.resolve("mf.yaml");
        Files.writeString(config, io.hwnas.experiments.run.FidelityRunTest.config("successive-halving", 9));
        CliRunner r = CliRunner.run("bench", "fidelity", "--config", config.toString(), "--out",
                tmp.resolve("runs").toString(), "--seeds", "1", "--retrain-steps", "3", "--json", "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode s = j.get("seeds").get(0);
        assertTrue(s.get("same_pool").asBoolean(), s.toString());
        assertEquals(9, s.get("candidates").asInt());
        // 9 x 1 + 3 x 2 + 1 x 6 steps; the flat run: floor(21 / 9) = 2 steps each, 18 in all
        assertEquals(21, s.get("fidelity_total_steps").asInt());
        assertEquals(2, s.get("flat_steps_per_candidate").asInt());
        assertEquals(18, s.get("flat_total_steps").asInt());
        assertTrue(Files.isRegularFile(tmp.resolve("runs/seed-4/flat/evaluations.jsonl")));
        assertEquals(9, Files.readAllLines(tmp.resolve("runs/seed-4/flat/evaluations.jsonl")).size());
        assertEquals(13, Files.readAllLines(tmp.resolve("runs/seed-4/fidelity/evaluations.jsonl")).size());
        assertEquals(s.get("fidelity_best_retrained_top1").asDouble() > s.get("flat_best_retrained_top1").asDouble(),
                s.get("fidelity_better").asBoolean());
        assertEquals(3, j.get("retrain_steps").asInt());
        CliRunner bad = CliRunner.run("bench", "fidelity", "--config", config.toString().replace("mf", "none"));
        assertEquals(2, bad.exitCode(), bad.err());
    }
}
