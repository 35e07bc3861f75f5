package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class BenchStrategiesCommandTest {

    @Test
    void printsGapAndRecallPerStrategy() throws Exception {
        CliRunner r = CliRunner.run("bench", "strategies", "--space", "nb201", "--accuracy", "nb201:cifar10",
                "--latency", "table:fpga", "--budget", "60", "--seeds", "2", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = Json.MAPPER.readTree(r.out());
        JsonNode s = root.get("strategies");
        int trueFront = root.get("true_front_size").asInt();
        assertTrue(trueFront >= 1, root.toString());
        for (String name : BenchStrategiesCommand.DEFAULT_STRATEGIES) {
            JsonNode o = s.get(name);
            double gap = o.get("hv_gap_mean").asDouble();
            assertTrue(gap > 0 && gap < 1, name + " gap " + gap);
            assertEquals(2, o.get("hv_gaps").size());
            // mean and sample standard deviation of the per-seed gaps, recomputed here
            double[] gaps = {o.get("hv_gaps").get(0).asDouble(), o.get("hv_gaps").get(1).asDouble()};
            assertEquals((gaps[0] + gaps[1]) / 2, gap, 1e-12, name);
            assertEquals(Math.abs(gaps[0] - gaps[1]) / Math.sqrt(2), o.get("hv_gap_sd").asDouble(), 1e-12, name);
            // recall per seed is (true front members found) / (true front size): the mean of two is k / (2 size)
            double recall = o.get("front_recall_mean").asDouble();
            double found = recall * 2 * trueFront;
            assertTrue(recall >= 0 && recall <= 1 && Math.abs(found - Math.rint(found)) < 1e-9,
                    name + " recall " + recall + " of a true front of " + trueFront);
        }
        assertEquals(2, s.get("reinforce").get("reward_last20_mean").size());
    }

    @Test
    void badInputExitsTwoWithTheValue() {
        CliRunner r = CliRunner.run("bench", "strategies", "--latency", "table:tpu", "--budget", "10", "--seeds", "1");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("tpu") && r.err().contains("raspi4"), r.err());
        r = CliRunner.run("bench", "strategies", "--strategies", "netadapt");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("netadapt"), r.err());
        r = CliRunner.run("bench", "strategies", "--space", "fbnet");
        assertEquals(2, r.exitCode());
        r = CliRunner.run("bench", "strategies", "--strategies", "evolutoin", "--budget", "10", "--seeds", "1");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("aging-evolution"), r.err());
    }
}
