package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.experiments.cli.CliRunner;
import io.hwnas.experiments.exec.slurm.SlurmTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search with a device behind a loopback agent (calibrate_after 3) and an analytical device, its candidates
 * evaluated by a Slurm worker pool (scripts/slurm-local.sh up; HWNAS_SLURM=1). The workers cost the agent device
 * with its model; the driver measures it: the first three asked candidates and the Pareto members are measured,
 * each once, as on the local executor ({@link AgentSearchTest}).
 */
class AgentSlurmClusterTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void cluster() {
        SlurmTestSupport.requireCluster();
    }

    /** The agent search's config on a pool of two Slurm workers. */
    Path config(int port, String agentExtra) throws Exception {
        Path cfg = AgentSearchTest.config(tmp, port, agentExtra);
        Files.writeString(cfg, Files.readString(cfg).replace("executor: {name: local, parallelism: 1}",
                "executor: {name: slurm, options: {pool: 2, poll_interval_ms: 200, launcher: "
                        + SlurmTestSupport.yamlList(SlurmTestSupport.workerCommand()) + "}}"));
        return cfg;
    }

    @Test
    void aWorkerPoolEvaluatesAndTheDriverMeasuresTheAgentDevice() throws Exception {
        try (AgentServer agent = AgentSearchTest.agent(0)) {
            Path cfg = config(agent.address().getPort(), ", calibrate_after: 3");
            CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
            assertEquals(0, r.exitCode(), r.err());
        }
        Path run = tmp.resolve("run");
        assertEquals(12, SlurmTestSupport.workerEvaluations(run), "every candidate evaluated on a Slurm worker");
        List<JsonNode> journal = AgentSearchTest.journal(run);
        assertEquals(12, journal.size());
        Set<String> measured = new HashSet<>();
        for (JsonNode e : journal) {
            assertEquals("OK", e.path("status").asText(), e.toString());
            JsonNode m = e.path("metrics");
            if (m.path("latency_measured@" + AgentSearchTest.DEVICE).asDouble(-1) == 1.0) {
                measured.add(AgentSearchTest.key(e));
            } else {
                assertEquals(0.0, m.path("latency_measured@" + AgentSearchTest.DEVICE).asDouble(-1), e.toString());
            }
            assertTrue(m.path("latency_measured@jetson-tx2").isMissingNode());
        }
        assertEquals(3, measured.size(), "calibrate_after 3");
        assertTrue(Files.isRegularFile(run.resolve("agent-calibration/" + AgentSearchTest.DEVICE + ".json")));
        List<String> members = AgentSearchTest.assertFrontMeasured(run);
        AgentSearchTest.assertNothingMeasuredTwice(run);
        List<String> cached = AgentSearchTest.cache(run).stream().map(Map.Entry::getKey).toList();
        assertEquals(measured, new HashSet<>(cached.subList(0, 3)), "the three asked first, measured first");
        assertTrue(cached.containsAll(members), cached + " vs " + members);
        SlurmTestSupport.awaitPoolGone(run);
    }

    @Test
    void anAgentLostMidRunFailsItsEvaluationsAndAResumeCompletesThemWithoutEvaluatingThemAgain() throws Exception {
        Path run = tmp.resolve("run");
        AgentServer first = AgentSearchTest.agent(0);
        int port = first.address().getPort();
        Path cfg = config(port, ", calibrate_after: 3, retry_seconds: 1");
        Thread killer = new Thread(() -> { // stops the agent once the first measurement is cached
            try {
                while (AgentSearchTest.cache(run).isEmpty()) {
                    Thread.sleep(2);
                }
            } catch (java.io.IOException | InterruptedException | java.io.UncheckedIOException e) {
                // the run's directory is read while being written: stop now
            } finally {
                first.close();
            }
        });
        killer.start();
        CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
        killer.join();
        assertEquals(0, r.exitCode(), r.err());
        long failed = AgentSearchTest.journal(run).stream().filter(e -> e.path("status").asText().equals("FAILED"))
                .peek(e -> assertTrue(e.path("error").asText().startsWith("device unavailable: "), e.toString()))
                .count();
        assertTrue(failed > 0, "evaluations failed while the agent was gone");
        SlurmTestSupport.awaitPoolGone(run);
        int onWorkers = SlurmTestSupport.workerEvaluations(run);
        try (AgentServer back = AgentSearchTest.agent(port)) {
            CliRunner resumed = CliRunner.run("search", "--resume", run.toString(), "--quiet");
            assertEquals(0, resumed.exitCode(), resumed.err());
        }
        assertEquals(onWorkers, SlurmTestSupport.workerEvaluations(run), "completed from the workers' result files");
        AgentSearchTest.assertNothingMeasuredTwice(run);
        AgentSearchTest.assertFrontMeasured(run);
        Map<String, JsonNode> last = new java.util.HashMap<>();
        AgentSearchTest.journal(run).forEach(e -> last.put(AgentSearchTest.key(e), e));
        for (JsonNode e : last.values()) {
            assertEquals("OK", e.path("status").asText(), "each candidate's last journal entry: " + e);
        }
        SlurmTestSupport.awaitPoolGone(run);
    }
}
