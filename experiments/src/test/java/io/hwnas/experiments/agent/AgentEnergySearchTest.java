package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.cli.CliRunner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code energy: measured} on an agent device: measured candidates and Pareto members take their energy from the
 * agent's energy counter (here a meter that reads a constant 2.5 W over the timed runs, as RAPL would on an idle
 * package), candidates the calibrated model predicts keep the model's energy, marked predicted; an agent without a
 * counter fails the evaluations on that device with a reason, and the search goes on.
 */
class AgentEnergySearchTest {

    private static final Token TOKEN = Token.of("agent-search-test-token");
    private static final double WATTS = 2.5;

    @TempDir
    Path tmp;

    /** A meter of the test: joules = 2.5 W times the wall time of the work. */
    private static EnergyMeter.Opened constantPower() {
        return new EnergyMeter.Opened(new EnergyMeter() {
            @Override
            public double joules(Runnable work) {
                long t0 = System.nanoTime();
                work.run();
                return WATTS * (System.nanoTime() - t0) / 1e9;
            }

            @Override
            public String describe() {
                return "a constant " + WATTS + " W (test)";
            }
        }, null);
    }

    private static AgentServer agent(EnergyMeter.Opened meter) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        return AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TOKEN,
                new OrtMeasurer(1, meter), AgentLimits.defaults(), log::add);
    }

    /** The cache's energy per architecture key. */
    private static Map<String, Double> cachedEnergy(Path run) throws Exception {
        Map<String, Double> out = new HashMap<>();
        for (String line : Files.readAllLines(run.resolve(MeasurementCache.FILE), StandardCharsets.UTF_8)) {
            JsonNode n = Json.MAPPER.readTree(line);
            out.put(n.path("key").asText(), n.path("measurement").path("energy").path("mj_per_inference").asDouble());
        }
        return out;
    }

    @Test
    void measuredCandidatesAndMembersTakeTheCountersEnergy() throws Exception {
        try (AgentServer a = agent(constantPower())) {
            Path cfg = AgentSearchTest.config(tmp, a.address().getPort(), ", calibrate_after: 3, energy: measured");
            CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
            assertEquals(0, r.exitCode(), r.err());
        }
        Path run = tmp.resolve("run");
        Map<String, Double> counted = cachedEnergy(run);
        String dev = AgentSearchTest.DEVICE;
        int measured = 0;
        for (JsonNode e : AgentSearchTest.journal(run)) {
            JsonNode m = e.path("metrics");
            assertEquals("OK", e.path("status").asText(), e.toString());
            double flag = m.path("energy_measured@" + dev).asDouble(-1);
            assertEquals(m.path("latency_measured@" + dev).asDouble(), flag, e.toString());
            if (flag == 1.0) {
                measured++;
                double mj = counted.get(AgentSearchTest.key(e));
                assertEquals(mj, m.path("energy_mj@" + dev).asDouble(), 1e-12, e.toString());
                assertTrue(mj > 0, e.toString());
            }
            assertTrue(m.path("energy_measured@jetson-tx2").isMissingNode());
        }
        assertEquals(3, measured);
        JsonNode front = Json.MAPPER.readTree(run.resolve("pareto/" + dev + ".json").toFile());
        assertTrue(front.path("members").size() > 0, front.toString());
        for (JsonNode m : front.path("members")) {
            assertTrue(m.path("measured").path("energy_mj").asBoolean(), m.toString());
            assertEquals(counted.get(m.path("arch").asText()), m.path("energy_mj").asDouble(), 1e-12, m.toString());
            // the counter's energy is 2.5 W over the timed runs, not the model's: its power is 2.5 W whatever the cell
            String card = Files.readString(run.resolve("models/" + dev + "/" + m.path("rank").asInt() + "/model-card.md"));
            assertTrue(card.matches("(?s).*\\| " + dev + " \\| [^\\n]*\\(measured\\) \\| [^\\n]*\\(measured\\) \\|.*"), card);
        }
    }

    @Test
    void anAgentWithoutACounterFailsThatDevicesEvaluationsWithTheReason() throws Exception {
        try (AgentServer a = agent(EnergyMeter.none("no counter on this test host"))) {
            Path cfg = AgentSearchTest.config(tmp, a.address().getPort(), ", energy: measured");
            Files.writeString(cfg, Files.readString(cfg).replace("budget: 12", "budget: 6"));
            CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
            assertEquals(0, r.exitCode(), r.err());
        }
        List<JsonNode> j = AgentSearchTest.journal(tmp.resolve("run"));
        assertEquals(6, j.size());
        for (JsonNode e : j) {
            assertEquals("FAILED", e.path("status").asText(), e.toString());
            assertTrue(e.path("error").asText().contains(AgentSearchTest.DEVICE + ": energy: measured, but the agent at "
                    + "http://127.0.0.1:"), e.toString());
            assertTrue(e.path("error").asText().contains("has no energy counter (not measured: no counter on this test "
                    + "host)"), e.toString());
        }
        assertFalse(Files.exists(tmp.resolve("run").resolve(MeasurementCache.FILE)), "nothing cached without energy");
    }

    @Test
    void aBadEnergyValueExitsTwoNamingIt() throws Exception {
        Path cfg = AgentSearchTest.config(tmp, 7070, ", energy: counted");
        CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("exp.yaml: devices[0].agent.energy = \"counted\" is not allowed; expected one of "
                + "[model, measured]"), r.err());
    }
}
