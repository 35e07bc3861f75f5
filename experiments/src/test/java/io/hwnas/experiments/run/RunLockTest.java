package io.hwnas.experiments.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run directory's lock: one holder, named when refused; a stale lock is taken over by exactly one process. */
class RunLockTest {

    @TempDir
    Path tmp;

    static String lock(long pid, String host, String token) {
        return lock(pid, host, token, "", -1);
    }

    static String lock(long pid, String host, String token, String processStart, long startTicks) {
        return "{\"pid\":" + pid + ",\"host\":\"" + host + "\",\"started\":\"2026-12-01T10:00:00Z\","
                + "\"command\":\"search\",\"token\":\"" + token + "\",\"process_start\":\"" + processStart
                + "\",\"process_start_ticks\":" + startTicks + "}\n";
    }

    /** The pid of a process that has ended. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        long pid = p.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    @Test
    void aHeldLockRefusesASecondHolderNamingItAndIsGoneAfterRelease() throws Exception {
        try (RunLock a = RunLock.acquire(tmp, "search")) {
            RunLock.RunInUseException e = assertThrows(RunLock.RunInUseException.class,
                    () -> RunLock.acquire(tmp, "report"));
            assertTrue(e.getMessage().matches(".* is in use by hwnas search \\(pid " + ProcessHandle.current().pid()
                    + " on host " + java.util.regex.Pattern.quote(RunLock.host()) + ", started 20[0-9-]+T[0-9:.]+Z\\), "
                    + "which holds .*driver\\.lock; wait for it to end.*"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertFalse(Files.exists(tmp.resolve(RunLock.FILE)));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(), files.toList(), "the lock and its temporary file are gone");
        }
        RunLock.acquire(tmp, "search").close();
    }

    @Test
    void theLockOfAProcessThatIsGoneOnThisHostIsTakenOver() throws Exception {
        Files.writeString(tmp.resolve(RunLock.FILE), lock(deadPid(), RunLock.host(), "dead"));
        try (RunLock l = RunLock.acquire(tmp, "search --resume")) {
            assertTrue(Files.readString(tmp.resolve(RunLock.FILE)).contains("\"pid\":" + ProcessHandle.current().pid()));
        }
        // a lock with this process's pid that this JVM does not hold: an earlier process with the same pid (containers)
        Files.writeString(tmp.resolve(RunLock.FILE), lock(ProcessHandle.current().pid(), RunLock.host(), "earlier"));
        RunLock.acquire(tmp, "search --resume").close();
        // a live process on this host holds it
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(tmp.resolve(RunLock.FILE), lock(sleeper.pid(), RunLock.host(), "live"));
            RunLock.RunInUseException e = assertThrows(RunLock.RunInUseException.class,
                    () -> RunLock.acquire(tmp, "search"));
            assertTrue(e.getMessage().contains("(pid " + sleeper.pid() + " on host "), e.getMessage());
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
        RunLock.acquire(tmp, "search").close();
    }

    /**
     * A live holder is told from a new process with its pid by the start in clock ticks since boot, not
     * by a start instant, which moves with the wall clock (a fresh machine's clock being stepped).
     */
    @Test
    void aLiveHolderIsKeptWhateverItsRecordedStartInstantAndTakenOverWhenItsPidNamesAnotherProcess()
            throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            java.util.OptionalLong ticks = RunLock.startTicks(sleeper.pid());
            org.junit.jupiter.api.Assumptions.assumeTrue(ticks.isPresent(), "no /proc/PID/stat here");
            Path f = tmp.resolve(RunLock.FILE);
            String oneHourOff = Instant.now().minusSeconds(3600).toString();
            Files.writeString(f, lock(sleeper.pid(), RunLock.host(), "live", oneHourOff, ticks.getAsLong()));
            assertThrows(RunLock.RunInUseException.class, () -> RunLock.acquire(tmp, "search"));
            Files.writeString(f, lock(sleeper.pid(), RunLock.host(), "reused-pid", "", ticks.getAsLong() - 1));
            RunLock.acquire(tmp, "search").close();
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    void aLockFromAnotherHostIsTakenOverOnlyWhenItsHeartbeatIsOld() throws Exception {
        Path f = tmp.resolve(RunLock.FILE);
        Files.writeString(f, lock(deadPid(), "node-17.cluster", "slurm-driver"));
        RunLock.RunInUseException e = assertThrows(RunLock.RunInUseException.class,
                () -> RunLock.acquire(tmp, "search"));
        assertTrue(e.getMessage().contains("on host node-17.cluster, started 2026-12-01T10:00:00Z"), e.getMessage());
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(RunLock.STALE).minusSeconds(5)));
        try (RunLock l = RunLock.acquire(tmp, "search --resume")) {
            assertTrue(Files.readString(f).contains(RunLock.host()));
        }
    }

    @Test
    void aHolderWhoseLockWasTakenOverKnowsIt() throws Exception {
        try (RunLock l = RunLock.acquire(tmp, "search")) {
            l.beat();
            l.requireHeld();
            Files.writeString(tmp.resolve(RunLock.FILE), lock(4242, "node-3", "the-new-holder"));
            l.beat();
            IllegalStateException e = assertThrows(IllegalStateException.class, l::requireHeld);
            assertTrue(e.getMessage().contains("was taken over by another process"), e.getMessage());
        }
        assertTrue(Files.readString(tmp.resolve(RunLock.FILE)).contains("the-new-holder"), "not released: not ours");
    }

    @Test
    void racingTakeoversOfAStaleLockHaveExactlyOneWinner() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                Path dir = Files.createDirectories(tmp.resolve("round-" + round));
                Files.writeString(dir.resolve(RunLock.FILE), lock(deadPid(), RunLock.host(), "dead-" + round));
                CyclicBarrier start = new CyclicBarrier(threads);
                CountDownLatch done = new CountDownLatch(threads);
                List<Future<RunLock>> tries = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    tries.add(pool.submit(() -> {
                        try {
                            start.await();
                            return RunLock.acquire(dir, "search --resume");
                        } catch (RunLock.RunInUseException e) {
                            return null;
                        } finally {
                            done.countDown();
                        }
                    }));
                }
                assertTrue(done.await(60, TimeUnit.SECONDS));
                List<RunLock> winners = new ArrayList<>();
                for (Future<RunLock> f : tries) {
                    if (f.get() != null) {
                        winners.add(f.get());
                    }
                }
                assertEquals(1, winners.size(), "round " + round);
                winners.get(0).close();
                assertFalse(Files.exists(dir.resolve(RunLock.FILE)));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
