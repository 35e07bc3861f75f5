package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.study.TimedSearch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench search}: two small quick-start searches, one on two local threads and one on one, each in a JVM of
 * its own, side by side (about 10 s).
 */
class BenchSearchCommandTest {

    @TempDir
    Path tmp;

    private Path config(String name, int parallelism) throws Exception {
        String yaml = Files.readString(SearchCommandTest.QUICKSTART)
                .replace("options: {population: 24}", "options: {population: 8}")
                .replace("batch_size: 24", "batch_size: 8").replace("budget: 240", "budget: 16")
                .replace("parallelism: 2", "parallelism: " + parallelism);
        assertTrue(yaml.contains("budget: 16") && yaml.contains("parallelism: " + parallelism), yaml);
        Path f = tmp.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void twoConfigsRunSideBySideWithWallTimesPeakRssAndIdenticalParetoSets() throws Exception {
        Path two = config("two-threads", 2);
        Path one = config("one-thread", 1);
        CliRunner r = CliRunner.run("bench", "search", "--config", two.toString(), "--against", one.toString(),
                "--pairs", "1", "--json", "--out", tmp.resolve("runs").toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode o = Json.MAPPER.readTree(r.out());
        for (String k : new String[] {"config", "against"}) {
            JsonNode c = o.path(k);
            assertEquals(1, c.path("wall_s").size(), o.toString());
            double wall = c.path("median_wall_s").asDouble();
            double rss = c.path("median_peak_rss_mib").asDouble();
            assertTrue(wall > 0.5 && wall < 300, k + " wall " + wall);
            // a JVM with DJL's classes and a search's state: tens to hundreds of MiB
            assertTrue(rss > 30 && rss < 4096, k + " peak RSS " + rss);
        }
        assertEquals(o.path("against").path("median_wall_s").asDouble() / o.path("config").path("median_wall_s")
                .asDouble(), o.path("wall_ratio").asDouble(), 1e-9);
        // the executor changes nothing in a seeded search: the same Pareto sets
        assertTrue(o.path("pareto_identical").get(0).asBoolean(), o.toString());
        Path runs = Path.of(o.path("run_directories").asText());
        assertEquals(tmp.resolve("runs").toAbsolutePath(), runs);
        assertTrue(Files.isRegularFile(runs.resolve("config-1/pareto/raspi4.csv")), runs.toString());
        assertTrue(Files.isRegularFile(runs.resolve("against-1.log")), runs.toString());
        assertTrue(r.err().contains("round 1:"), r.err());
    }

    @Test
    void paretoSetsThatDifferInOneByteAreNotIdentical() throws Exception {
        for (String run : new String[] {"a", "b"}) {
            Files.createDirectories(tmp.resolve(run).resolve("pareto"));
            Files.writeString(tmp.resolve(run).resolve("pareto/raspi4.csv"), "arch,latency_ms\nx,1.0\n");
        }
        TimedSearch a = new TimedSearch(1, 1, tmp.resolve("a"));
        TimedSearch b = new TimedSearch(1, 1, tmp.resolve("b"));
        assertTrue(a.sameParetoSets(b));
        Files.writeString(tmp.resolve("b").resolve("pareto/raspi4.csv"), "arch,latency_ms\nx,1.1\n");
        assertFalse(a.sameParetoSets(b));
        Files.writeString(tmp.resolve("b").resolve("pareto/raspi4.csv"), "arch,latency_ms\nx,1.0\n");
        Files.writeString(tmp.resolve("b").resolve("pareto/loihi2.csv"), "arch,latency_ms\nx,1.0\n");
        assertFalse(a.sameParetoSets(b), "a device more");
        assertFalse(new TimedSearch(1, 1, tmp.resolve("none")).sameParetoSets(a), "no Pareto files");
    }

    @Test
    void badArgumentsAndABadConfigExitTwoBeforeAnyRun() throws Exception {
        Path good = config("good", 1);
        CliRunner pairs = CliRunner.run("bench", "search", "--config", good.toString(), "--pairs", "0");
        assertEquals(2, pairs.exitCode(), pairs.err());
        assertTrue(pairs.err().contains("--pairs"), pairs.err());
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(good).replace("budget: 16", "budget: -3"));
        CliRunner r = CliRunner.run("bench", "search", "--config", good.toString(), "--against", bad.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("bad.yaml") && r.err().contains("budget"), r.err());
        assertFalse(r.err().contains("round 1"), "no search ran: " + r.err());
    }
}
