package io.hwnas.experiments.cli;

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
        JsonNode s = Json.MAPPER.readTree(r.out()).get("strategies");
        for (String name : BenchStrategiesCommand.DEFAULT_STRATEGIES) {
            JsonNode o = s.get(name);
            double gap = o.get("hv_gap_mean").asDouble();
            assertTrue(gap > 0 && gap < 1, name + " gap " + gap);
            assertTrue(o.get("hv_gap_sd").asDouble() >= 0);
            double recall = o.get("front_recall_mean").asDouble();
            assertTrue(recall >= 0 && recall <= 1);
            assertEquals(2, o.get("hv_gaps").size());
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
