package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.cli.CliRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search with a device measured through a loopback agent (calibrate_after 3) and an analytical device: the first
 * three asked candidates and the Pareto members are measured, the rest predicted; an agent stopped mid-run fails
 * evaluations with a reason, and once it is back {@code --resume} completes without measuring anything twice.
 */
class AgentSearchTest {

    private static final Token TOKEN = Token.of("agent-search-test-token");
    static final String DEVICE = "box";

    @TempDir
    Path tmp;

    static AgentServer agent(int port) throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        return AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TOKEN,
                new OrtMeasurer(1, EnergyMeter.none("test")), AgentLimits.defaults(), log::add);
    }

    /** A config of a tiny nb201 search (NSGA-II, 2 batches of 6, one evaluation at a time). */
    static Path config(Path dir, int port, String agentExtra) throws IOException {
        Files.writeString(dir.resolve("token"), "agent-search-test-token\n", StandardCharsets.UTF_8);
        Path c = dir.resolve("exp.yaml");
        Files.writeString(c, String.join("\n",
                "name: agent-search",
                "seed: 3",
                "space: {name: nb201}",
                "accuracy: {name: table, options: {dataset: cifar10}}",
                "devices:",
                "  - name: " + DEVICE,
                "    profile: raspi4",
                "    agent: {url: 'http://127.0.0.1:" + port + "', token_file: token, warmup: 1, runs: 3"
                        + agentExtra + "}",
                "  - name: jetson-tx2",
                "objectives: [latency_ms]",
                "strategy: {name: nsga2, options: {population: 6}, batch_size: 6}",
                "budget: 12",
                "executor: {name: local, parallelism: 1}",
                "output: run",
                ""), StandardCharsets.UTF_8);
        return c;
    }

    /** The cache's lines as (architecture key, latency), every line of the device. */
    static List<Map.Entry<String, Double>> cache(Path run) throws IOException {
        List<Map.Entry<String, Double>> out = new ArrayList<>();
        Path f = run.resolve(MeasurementCache.FILE);
        if (!Files.exists(f)) {
            return out;
        }
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            JsonNode n = Json.MAPPER.readTree(line);
            assertEquals(DEVICE, n.path("device").asText());
            out.add(Map.entry(n.path("key").asText(), n.path("latency_ms").asDouble()));
        }
        return out;
    }

    static List<JsonNode> journal(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("evaluations.jsonl"), StandardCharsets.UTF_8)) {
            out.add(Json.MAPPER.readTree(line));
        }
        return out;
    }

    static String key(JsonNode journalEntry) {
        return journalEntry.path("architecture").path("arch").asText();
    }

    /** Every Pareto member on the agent device has its latency measured, equal to the cached measurement. */
    static List<String> assertFrontMeasured(Path run) throws IOException {
        Map<String, Double> cached = new TreeMap<>();
        cache(run).forEach(e -> cached.put(e.getKey(), e.getValue()));
        JsonNode front = Json.MAPPER.readTree(run.resolve("pareto/" + DEVICE + ".json").toFile());
        List<String> members = new ArrayList<>();
        assertTrue(front.path("members").size() > 0, front.toString());
        for (JsonNode m : front.path("members")) {
            String arch = m.path("arch").asText();
            members.add(arch);
            assertTrue(m.path("measured").path("latency_ms").asBoolean(), m.toString());
            assertFalse(m.path("measured").path("energy_mj").asBoolean(true), m.toString());
            assertEquals(cached.get(arch), m.path("latency_ms").asDouble(), 1e-12, arch);
            String card = Files.readString(run.resolve("models/" + DEVICE + "/" + m.path("rank").asInt()
                    + "/model-card.md"));
            assertTrue(card.contains(" (measured) |"), card);
        }
        JsonNode other = Json.MAPPER.readTree(run.resolve("pareto/jetson-tx2.json").toFile());
        for (JsonNode m : other.path("members")) {
            assertTrue(m.path("measured").isMissingNode(), "an analytical device's figures are not marked measured");
        }
        return members;
    }

    static void assertNothingMeasuredTwice(Path run) throws IOException {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Double> e : cache(run)) {
            assertTrue(seen.add(e.getKey()), "measured twice: " + e.getKey());
        }
    }

    @Test
    void measuresTheFirstThreeAndTheParetoMembersAndPredictsTheRest() throws Exception {
        try (AgentServer a = agent(0)) {
            Path cfg = config(tmp, a.address().getPort(), ", calibrate_after: 3");
            CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
            assertEquals(0, r.exitCode(), r.err());
        }
        Path run = tmp.resolve("run");
        List<JsonNode> j = journal(run);
        assertEquals(12, j.size());
        Set<String> measuredInSearch = new HashSet<>();
        for (int i = 0; i < j.size(); i++) {
            JsonNode m = j.get(i).path("metrics");
            assertEquals("OK", j.get(i).path("status").asText(), j.get(i).toString());
            double flag = m.path("latency_measured@" + DEVICE).asDouble(-1);
            assertEquals(i < 3 ? 1.0 : 0.0, flag, i + ": " + j.get(i)); // one at a time: the journal is the ask order
            if (flag == 1.0) {
                measuredInSearch.add(key(j.get(i)));
            }
            assertTrue(m.path("latency_measured@jetson-tx2").isMissingNode());
        }
        assertEquals(3, measuredInSearch.size());
        assertTrue(Files.isRegularFile(run.resolve("agent-calibration/" + DEVICE + ".json")));
        List<String> members = assertFrontMeasured(run);
        assertNothingMeasuredTwice(run);
        // the cache: the three asked first, then Pareto members (a member measured slower than predicted may leave
        // the front; the next front's members are measured then), never a candidate the search predicted elsewise
        List<String> cachedKeys = cache(run).stream().map(Map.Entry::getKey).toList();
        assertEquals(measuredInSearch, new HashSet<>(cachedKeys.subList(0, 3)));
        assertTrue(cachedKeys.containsAll(members), cachedKeys + " vs " + members);
        assertTrue(cachedKeys.size() <= j.size(), cachedKeys.toString());
        // the agent is gone: the report is rebuilt from the cache, measuring nothing
        int lines = cache(run).size();
        CliRunner rep = CliRunner.run("report", run.toString());
        assertEquals(0, rep.exitCode(), rep.err());
        assertEquals(lines, cache(run).size());
        assertEquals(members, assertFrontMeasured(run));
    }

    @Test
    void anAgentStoppedMidRunFailsEvaluationsAndAResumeCompletesWithoutMeasuringTwice() throws Exception {
        Path run = tmp.resolve("run");
        int port;
        AgentServer first = agent(0);
        port = first.address().getPort();
        Path cfg = config(tmp, port, ", calibrate_after: 3, retry_seconds: 1");
        Thread killer = new Thread(() -> { // stops the agent once the first measurement is cached
            try {
                while (cache(run).isEmpty()) {
                    Thread.sleep(2);
                }
            } catch (IOException | InterruptedException | UncheckedIOException e) {
                // the run's directory is read while being written: try again
            } finally {
                first.close();
            }
        });
        killer.start();
        long t0 = System.nanoTime();
        CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
        killer.join();
        System.err.printf("agent stopped mid-run: search %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, r.exitCode(), r.err());
        List<JsonNode> failed = journal(run).stream().filter(e -> e.path("status").asText().equals("FAILED")).toList();
        assertFalse(failed.isEmpty(), "evaluations failed while the agent was gone");
        for (JsonNode f : failed) {
            String why = f.path("error").asText();
            assertTrue(why.startsWith("device unavailable: " + DEVICE + ": agent http://127.0.0.1:" + port + " "),
                    why);
            assertTrue(why.contains(" lost") && why.contains("unreachable"), why);
        }
        int before = cache(run).size();
        assertTrue(before >= 1 && before < 3, "the agent was stopped before the third measurement: " + before);
        try (AgentServer back = agent(port)) {
            CliRunner resumed = CliRunner.run("search", "--resume", run.toString(), "--quiet");
            assertEquals(0, resumed.exitCode(), resumed.err());
            assertTrue(resumed.err().contains("12 evaluations"), resumed.err());
        }
        assertNothingMeasuredTwice(run);
        assertFrontMeasured(run);
        Set<String> failedKeys = new HashSet<>();
        failed.forEach(f -> failedKeys.add(key(f)));
        long okAfter = journal(run).stream().filter(e -> failedKeys.contains(key(e))
                && e.path("status").asText().equals("OK")).count();
        assertTrue(okAfter > 0, "the resume evaluated the failed candidates again");
    }

    @Test
    void badAgentFieldsExitTwoNamingFileFieldAndValue() throws Exception {
        Path cfg = config(tmp, 7070, "");
        String text = Files.readString(cfg).replace("url: 'http://127.0.0.1:7070', token_file: token, warmup: 1, runs: 3",
                "url: 'ftp://127.0.0.1:7070', token_file: missing-token, calibrate_after: -1, retry_seconds: -2, "
                        + "latency: mean, runs: 0, colour: red");
        Files.writeString(cfg, text);
        CliRunner r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
        assertEquals(2, r.exitCode(), r.err());
        for (String field : List.of("url = \"ftp://127.0.0.1:7070\"", "token_file = \"missing-token\"",
                "calibrate_after = -1", "retry_seconds = -2", "latency = \"mean\"", "runs = 0", "colour")) {
            assertTrue(r.err().contains("exp.yaml: devices[0].agent." + field), field + " in " + r.err());
        }
        assertFalse(Files.exists(tmp.resolve("run")), "nothing written");
        // a port missing and batch 2
        String good = Files.readString(config(tmp, 7070, ""));
        Files.writeString(cfg, good.replace("'http://127.0.0.1:7070'", "'http://127.0.0.1'")
                .replace("profile: raspi4", "profile: raspi4\n    batch: 2"));
        r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
        assertEquals(2, r.exitCode(), r.err());
        for (String field : List.of("devices[0].agent.url = \"http://127.0.0.1\"", "devices[0].agent = \"batch 2\"")) {
            assertTrue(r.err().contains("exp.yaml: " + field), field + " in " + r.err());
        }
    }

    @Test
    void aMemberTheAgentCannotMeasureLeavesOnlyItsFrontUntilReportMeasuresIt() throws Exception {
        int port;
        try (AgentServer probe = agent(0)) {
            port = probe.address().getPort();
        }
        Path cfg = config(tmp, port, ", calibrate_after: 0, retry_seconds: 0");
        PrintStream stderr = System.err; // the search's progress and warnings go there
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        CliRunner r;
        try {
            System.setErr(new PrintStream(progress, true, StandardCharsets.UTF_8));
            r = CliRunner.run("search", "--config", cfg.toString(), "--quiet");
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, r.exitCode(), r.err());
        String warnings = progress.toString(StandardCharsets.UTF_8);
        assertTrue(warnings.contains("warning: " + DEVICE + ": Pareto member "), warnings);
        assertTrue(warnings.contains(" left out: re-measured on " + DEVICE + ": " + DEVICE + ": agent http://127.0.0.1:"
                + port + " lost"), warnings);
        Path run = tmp.resolve("run");
        assertEquals(0, Json.MAPPER.readTree(run.resolve("pareto/" + DEVICE + ".json").toFile()).path("members").size());
        assertTrue(Json.MAPPER.readTree(run.resolve("pareto/jetson-tx2.json").toFile()).path("members").size() > 0);
        assertTrue(journal(run).stream().allMatch(e -> e.path("status").asText().equals("OK")
                && e.path("metrics").path("latency_measured@" + DEVICE).asDouble() == 0.0), "all predicted");
        assertTrue(cache(run).isEmpty());
        try (AgentServer back = agent(port)) {
            CliRunner rep = CliRunner.run("report", run.toString());
            assertEquals(0, rep.exitCode(), rep.err());
            assertFalse(rep.err().contains("warning"), rep.err());
        }
        assertFrontMeasured(run);
        assertNothingMeasuredTwice(run);
    }
}
