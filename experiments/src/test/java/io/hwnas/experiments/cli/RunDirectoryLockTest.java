package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.run.RunLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers on one run directory: while a driver runs, a second driver (new or --resume) and
 * {@code report} exit 2 naming the holder; the journal stays intact and the run resumes and reports.
 */
class RunDirectoryLockTest {

    static final String CONFIG = """
            name: locked
            seed: 7
            space: {name: nb201}
            accuracy: {name: test-slow, options: {sleep_ms: %d}}
            devices:
              - {name: pi, profile: raspi4}
            objectives: [latency_ms]
            strategy: {name: random, batch_size: 4}
            budget: %d
            executor: {name: local, parallelism: 1}
            """;
    static final int TRIALS = 10;

    @TempDir
    Path tmp;

    Path config(int sleepMs, int budget) throws Exception {
        Path f = tmp.resolve("c-" + sleepMs + "-" + budget + ".yaml");
        Files.writeString(f, CONFIG.formatted(sleepMs, budget));
        return f;
    }

    /** Waits until the driver has locked the directory and written its manifest. */
    static void awaitLocked(Path dir, java.util.function.BooleanSupplier alive) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!(Files.exists(dir.resolve(RunLock.FILE)) && Files.exists(dir.resolve("manifest.json")))) {
            assertTrue(alive.getAsBoolean() && System.nanoTime() < deadline, "the first driver never locked " + dir);
            Thread.sleep(5);
        }
    }

    /** A second driver (resumed or new) and report are refused with exit 2, one line naming the holder. */
    static void assertRefused(Path dir, Path config, long pid) {
        String holder = " is in use by hwnas search \\(pid " + pid + " on host " + Pattern.quote(RunLock.host())
                + ", started 20[0-9-]+T[0-9:.]+Z\\), which holds .*";
        for (String[] args : List.of(new String[] {"search", "--resume", dir.toString(), "--quiet"},
                new String[] {"search", "--config", config.toString(), "--out", dir.toString(), "--quiet"},
                new String[] {"report", dir.toString()})) {
            CliRunner r = CliRunner.run(args);
            assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().matches("hwnas (search|report): " + Pattern.quote(dir.toString()) + holder + "\n"),
                    r.err());
        }
    }

    /** Every line of the journal is an entry, numbered 0, 1, ... in order, with no architecture twice. */
    static void assertJournalIntact(Path dir, int budget) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("evaluations.jsonl"));
        assertEquals(budget, lines.size());
        java.util.Set<String> archs = new java.util.HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = Json.MAPPER.readTree(lines.get(i));
            assertEquals(i, n.get("seq").asInt(), lines.get(i));
            assertTrue(archs.add(n.get("architecture").toString()), lines.get(i));
        }
    }

    /** The finished run resumes (all from the journal) and reports; no lock is left behind. */
    static void assertResumesAndReports(Path dir, int budget) {
        CliRunner resumed = CliRunner.run("search", "--resume", dir.toString(), "--quiet");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains(budget + " evaluations (" + budget + " from the journal)"), resumed.err());
        CliRunner report = CliRunner.run("report", dir.toString());
        assertEquals(0, report.exitCode(), report.err());
        assertFalse(Files.exists(dir.resolve(RunLock.FILE)));
    }

    @Test
    void tenTrialsOfASecondWriterWhileADriverRunsInAnotherThread() throws Exception {
        int budget = 8;
        Path config = config(150, budget);
        for (int trial = 0; trial < TRIALS; trial++) {
            Path dir = tmp.resolve("run-" + trial);
            CompletableFuture<CliRunner> first = CompletableFuture.supplyAsync(() -> CliRunner.run("search",
                    "--config", config.toString(), "--out", dir.toString(), "--quiet"));
            awaitLocked(dir, () -> !first.isDone());
            assertRefused(dir, config, ProcessHandle.current().pid());
            CliRunner a = first.get(2, TimeUnit.MINUTES);
            assertEquals(0, a.exitCode(), a.err());
            assertJournalIntact(dir, budget);
            assertResumesAndReports(dir, budget);
        }
    }

    @Test
    void aSecondWriterIsRefusedWhileADriverProcessRunsAndTakesOverItsLockOnceItIsKilled() throws Exception {
        int budget = 12;
        Path config = config(400, budget);
        Path dir = tmp.resolve("run");
        Process p = SearchCommandTest.start(tmp.resolve("driver.log"), "search", "--config", config.toString(),
                "--out", dir.toString(), "--quiet");
        try {
            awaitLocked(dir, p::isAlive);
            assertRefused(dir, config, p.pid());
        } finally {
            p.destroyForcibly().waitFor(); // SIGKILL: the lock stays, naming a process that is gone
        }
        assertTrue(Files.exists(dir.resolve(RunLock.FILE)), "a killed driver leaves its lock");
        long done = Files.readAllLines(dir.resolve("evaluations.jsonl")).size();
        assertTrue(done < budget, "killed at " + done);
        CliRunner resumed = CliRunner.run("search", "--resume", dir.toString(), "--quiet");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertJournalIntact(dir, budget);
        assertResumesAndReports(dir, budget);
    }

    @Test
    void aDriverStoppedWithSigtermReleasesItsLock() throws Exception {
        Path config = config(400, 12);
        Path dir = tmp.resolve("run");
        Process p = SearchCommandTest.start(tmp.resolve("driver.log"), "search", "--config", config.toString(),
                "--out", dir.toString(), "--quiet");
        try {
            awaitLocked(dir, p::isAlive);
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertFalse(Files.exists(dir.resolve(RunLock.FILE)), "released by the shutdown hook");
        CliRunner resumed = CliRunner.run("search", "--resume", dir.toString(), "--quiet");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertJournalIntact(dir, 12);
    }
}
