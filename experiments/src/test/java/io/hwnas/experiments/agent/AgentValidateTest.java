package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.cli.HwnasCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cost validate --agent}: a seeded nb201 sample timed on a loopback agent, calibrated and scored. */
class AgentValidateTest {

    /** Runs the command line with its output and errors written to the given writers. */
    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = HwnasCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    /** A loopback agent on a free port whose token is written to {@code tokenFile}; log lines go to {@code log}. */
    private static AgentServer agent(Path tokenFile, List<String> log) throws Exception {
        Files.writeString(tokenFile, "validate-test-token");
        return AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Token.read(tokenFile),
                new OrtMeasurer(1, EnergyMeter.none("test")), AgentLimits.defaults(), log::add);
    }

    @Test
    void measuresCalibratesAndScores(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AgentServer agent = agent(tokenFile, log)) {
            Path csv = dir.resolve("m.csv");
            CommandLine cl = HwnasCli.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(new StringWriter()));
            int code = cl.execute("cost", "validate", "--space", "nb201", "--device", "raspi4", "--agent",
                    "http://127.0.0.1:" + agent.address().getPort(), "--token-file", tokenFile.toString(), "--sample",
                    "3", "--calibrate", "2", "--runs", "2", "--latency", "cpu", "--write-measurements", csv.toString(),
                    "--json");
            assertEquals(0, code, out.toString());
            JsonNode j = Json.MAPPER.readTree(out.toString());
            assertEquals(2, j.get("n_calibrate").asInt());
            assertEquals(3, j.get("n_test").asInt());
            assertTrue(j.get("mape").asDouble() >= 0);
            assertEquals(5, log.stream().filter(l -> l.contains("-> 200")).count(), log.toString());
            assertEquals(6, Files.readAllLines(csv).size());
            int again = HwnasCli.execute("cost", "validate", "--space", "nb201", "--device", "raspi4",
                    "--measurements", csv.toString(), "--column", "latency_ms", "--calibrate", "2");
            assertEquals(0, again);
        }
    }

    /** {@code --rounds 2}: every network is measured once per round-robin round; 0 rounds exit 2. */
    @Test
    void roundsMeasureEveryNetworkOncePerRound(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AgentServer agent = agent(tokenFile, log)) {
            String url = "http://127.0.0.1:" + agent.address().getPort();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertEquals(0, run(out, err, "cost", "validate", "--space", "nb201", "--device", "raspi4", "--agent", url,
                    "--token-file", tokenFile.toString(), "--sample", "3", "--calibrate", "2", "--runs", "2",
                    "--rounds", "2", "--latency", "cpu", "--json"), err.toString());
            assertEquals(10, log.stream().filter(l -> l.contains("-> 200")).count(), log.toString());
            assertTrue(err.toString().contains("measured round 2/2 5/5"), err.toString());
            JsonNode j = Json.MAPPER.readTree(out.toString());
            assertTrue(j.get("measurements").asText().contains("cpu, median of 2 round-robin rounds"), j.toString());
            StringWriter bad = new StringWriter();
            assertEquals(2, run(new StringWriter(), bad, "cost", "validate", "--space", "nb201", "--device", "raspi4",
                    "--agent", url, "--token-file", tokenFile.toString(), "--sample", "3", "--rounds", "0"));
            assertTrue(bad.toString().contains("--rounds must be in 1..20, but was 0"), bad.toString());
            StringWriter noAgent = new StringWriter();
            assertEquals(2, run(new StringWriter(), noAgent, "cost", "validate", "--space", "nb201", "--device",
                    "raspi4", "--measurements", "m.csv", "--column", "latency_ms", "--rounds", "3"));
            assertTrue(noAgent.toString().contains("--rounds 3 needs --agent"), noAgent.toString());
        }
    }

    @Test
    void kernelTableIsMeasuredOnceScoredAndAMalformedOneExits2(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AgentServer agent = agent(tokenFile, log)) {
            Path table = dir.resolve("tables/nb201.kernels.csv");
            String[] args = {"cost", "validate", "--space", "nb201", "--device", "raspi4", "--agent",
                "http://127.0.0.1:" + agent.address().getPort(), "--token-file", tokenFile.toString(), "--sample", "3",
                "--calibrate", "4", "--runs", "2", "--latency", "cpu", "--kernel-table", table.toString(), "--json"};
            StringWriter out = new StringWriter();
            assertEquals(0, run(out, new StringWriter(), args), out.toString());
            JsonNode k = Json.MAPPER.readTree(out.toString()).get("kernel_table");
            assertEquals("kernel-table", k.get("model").asText());
            assertEquals(4, k.get("n_calibrate").asInt());
            assertEquals(3, k.get("n_test").asInt());
            assertTrue(k.get("mape").asDouble() >= 0 && k.get("fit").asText().contains("x table"), k.toString());
            long kernels = Files.readAllLines(table).size() - 1;
            assertTrue(kernels >= 10, "nb201 kernels measured: " + kernels);
            assertTrue(log.stream().filter(l -> l.contains("-> 200")).count() > 7 + kernels, log.toString());
            log.clear();
            assertEquals(0, HwnasCli.commandLine().execute(args));
            assertEquals(7, log.stream().filter(l -> l.contains("-> 200")).count(), "the table is reused: " + log);
            Files.writeString(table, Files.readString(table).replaceFirst("\n(add\\|[^\n]*),[0-9.E-]+\n",
                    "\n$1,-1\n"));
            StringWriter err = new StringWriter();
            assertEquals(2, run(new StringWriter(), err, args));
            assertTrue(err.toString().contains(table.toString()) && err.toString().contains("line 2")
                    && err.toString().contains("-1"), err.toString());
        }
    }

    @Test
    void kernelTableWithoutAgentOrWithTooFewCalibrationNetworksExits2(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "cost", "validate", "--space", "nb201", "--device", "raspi4",
                "--measurements", "m.csv", "--column", "latency_ms", "--kernel-table", "k.csv"));
        assertTrue(err.toString().contains("--kernel-table k.csv needs --agent"), err.toString());
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "t");
        assertEquals(2, run(new StringWriter(), err, "cost", "validate", "--space", "nb201", "--device", "raspi4",
                "--agent", "http://127.0.0.1:9", "--token-file", tokenFile.toString(), "--sample", "5", "--calibrate",
                "3", "--kernel-table", "k.csv"));
        assertTrue(err.toString().contains("--calibrate of at least 4, but was 3"), err.toString());
    }

    @Test
    void agentWithoutSampleExits2(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "t");
        assertEquals(2, HwnasCli.execute("cost", "validate", "--space", "nb201", "--device", "raspi4", "--agent",
                "http://127.0.0.1:9", "--token-file", tokenFile.toString()));
    }
}
