package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench netadapt} end to end on synthetic images with a tiny budget (a few seconds). */
class BenchNetadaptCommandTest {

    static final String CONFIG = """
            name: tiny-netadapt
            seed: 1
            space:
              name: mobilenet
              options: {resolutions: [32], widths: [0.5], stem_stride: 2}
            dataset: {name: synthetic}
            accuracy:
              name: train
              options: {steps: 1, batch: 8, lr: 0.05, warmup: 0, train_size: 32, val_size: 16}
            devices:
              - name: raspi4
            objectives: [latency_ms]
            strategy:
              name: netadapt
              options:
                start: "r32-w0.5|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3"
                budget_ratio: 0.9
              batch_size: 4
            budget: 5
            executor: {name: local, parallelism: 1}
            output: run
            """;

    @TempDir
    Path tmp;

    @Test
    void comparesNetadaptWithTheUniformlyScaledStartAtTheSameLatency() throws Exception {
        Path config = tmp.resolve("tiny.yaml");
        Files.writeString(config, CONFIG);
        Path run = tmp.resolve("run");
        CliRunner r = CliRunner.run("bench", "netadapt", "--config", config.toString(), "--out", run.toString(),
                "--seeds", "2", "--final-steps", "2", "--quiet", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode o = Json.MAPPER.readTree(r.out());
        JsonNode trajectory = o.get("trajectory");
        assertTrue(trajectory.size() >= 2, o.toString());
        assertEquals(o.get("initial_latency").asDouble(), trajectory.get(0).get("latency").asDouble(), 1e-12);
        for (int i = 1; i < trajectory.size(); i++) {
            JsonNode t = trajectory.get(i);
            assertTrue(t.get("latency").asDouble() <= t.get("target").asDouble() + 1e-12, t.toString());
            assertTrue(t.get("shrunk").asText().startsWith("stage"), t.toString());
            assertTrue(Double.isFinite(t.get("accuracy").asDouble()));
        }
        JsonNode na = o.get("netadapt");
        JsonNode un = o.get("uniform");
        assertEquals(trajectory.get(trajectory.size() - 1).get("arch").asText(), na.get("arch").asText());
        assertEquals(2, na.get("top1").size());
        assertEquals(2, un.get("top1").size());
        assertEquals(2, o.get("final_training").get("steps").asInt());
        // the match: the widest uniform scale at or below NetAdapt's predicted latency
        double lat = na.get("latency").asDouble();
        assertTrue(un.get("matched").asBoolean(), o.toString());
        assertTrue(un.get("latency").asDouble() <= lat);
        for (JsonNode s : o.get("uniform_scales")) {
            if (s.get("scale").asDouble() > un.get("scale").asDouble()) {
                assertTrue(s.get("latency").asDouble() > lat, "a wider uniform scale also fits: " + s);
            }
        }
        assertPairedFigures(o, na, un, lat);
        // the run directory holds the trajectory as CSV and in the HTML report
        String csv = Files.readString(run.resolve("strategy-trajectory.csv"));
        assertTrue(csv.startsWith("iteration,target,shrunk,arch,latency,accuracy,candidates"), csv);
        assertEquals(trajectory.size() + 1, csv.lines().count(), csv);
        assertTrue(Files.readString(run.resolve("report.html")).contains("Strategy trajectory"));
    }

    /** The uniform accuracy interpolated to NetAdapt's latency and the paired statistics over the seeds. */
    private static void assertPairedFigures(JsonNode o, JsonNode na, JsonNode un, double lat) {
        double diff = na.get("top1_mean").asDouble() - un.get("top1_mean").asDouble();
        assertEquals(diff, o.get("netadapt_minus_uniform_mean").asDouble(), 1e-9);
        assertEquals(diff >= 0, o.get("holds").asBoolean());
        // NetAdapt shrank, so the full width is slower and the next wider uniform scale brackets NetAdapt's
        // latency from above; the uniform accuracy at NetAdapt's latency is interpolated between the two
        JsonNode wider = o.get("uniform_wider");
        assertTrue(un.get("scale").asDouble() < 1.0, o.toString());
        {
            assertTrue(wider.get("latency").asDouble() > lat && wider.get("scale").asDouble() > un.get("scale").asDouble());
            double t = (lat - un.get("latency").asDouble()) / (wider.get("latency").asDouble() - un.get("latency").asDouble());
            JsonNode same = o.get("uniform_at_netadapt_latency");
            for (int s = 0; s < 2; s++) {
                double u = un.get("top1").get(s).asDouble();
                assertEquals(u + t * (wider.get("top1").get(s).asDouble() - u), same.get("top1").get(s).asDouble(), 1e-9);
            }
            assertEquals(na.get("top1_mean").asDouble() >= same.get("top1_mean").asDouble(),
                    o.get("holds_at_same_latency").asBoolean());
        }
        // paired statistics over the seeds: NetAdapt against the faster uniform network and against the uniform
        // accuracy interpolated to NetAdapt's latency
        JsonNode paired = o.get("paired");
        assertEquals(2, paired.get("seeds").asInt());
        assertEquals(1, paired.get("df").asInt());
        assertEquals(diff, paired.get("mean_difference").asDouble(), 1e-9);
        assertTrue(paired.has("p_value") && paired.has("t") && paired.has("sd_difference"), paired.toString());
        JsonNode pairedSame = o.get("paired_at_same_latency");
        assertEquals(na.get("top1_mean").asDouble() - o.get("uniform_at_netadapt_latency").get("top1_mean").asDouble(),
                pairedSame.get("mean_difference").asDouble(), 1e-9);
    }

    @Test
    void theTextOutputStatesThePairedFigures() {
        var c = io.hwnas.experiments.study.PairedComparison.of(java.util.List.of(80.0, 81.0, 79.0, 82.0, 80.0),
                java.util.List.of(79.0, 80.0, 79.0, 80.0, 78.0));
        assertEquals("mean difference +1.20 points, sd 0.84, paired t(4) = 3.21, p = 0.0327, 5 seeds: significant at 0.05",
                BenchNetadaptCommand.paired(c.toMap("netadapt - uniform")));
        var one = io.hwnas.experiments.study.PairedComparison.of(java.util.List.of(80.0), java.util.List.of(81.0));
        assertTrue(BenchNetadaptCommand.paired(one.toMap("x")).contains("p = undefined"), one.toString());
    }

    @Test
    void theShippedBenchConfigBinds() {
        var c = io.hwnas.experiments.config.ConfigLoader.load(ExamplesTest.EXAMPLES.resolve("netadapt-bench.yaml"));
        assertEquals("netadapt", c.strategy().name());
        assertTrue(!c.finalTraining().isEmpty());
        io.hwnas.experiments.setup.RunSetup.bind(c, io.hwnas.experiments.setup.DeviceBinding.catalog());
    }

    @Test
    void aConfigOfAnotherStrategyOrBadCountsExitTwo() throws Exception {
        Path config = tmp.resolve("random.yaml");
        Files.writeString(config, CONFIG.replace("name: netadapt", "name: random").replace(
                "    start: \"r32-w0.5|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3\"\n"
                        + "    budget_ratio: 0.9\n", "    tries: 10\n"));
        CliRunner r = CliRunner.run("bench", "netadapt", "--config", config.toString(), "--quiet");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("strategy.name is random"), r.err());
        r = CliRunner.run("bench", "netadapt", "--config", config.toString(), "--seeds", "0");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--seeds"), r.err());
    }
}
