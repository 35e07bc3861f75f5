package io.hwnas.experiments.exec.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.run.TestPlugins;
import io.hwnas.experiments.setup.RunSetup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool worker without Slurm: it claims from the queue, scores as the driver would and exits when told. */
class PoolWorkerTest {

    @TempDir
    Path tmp;

    static final String CONFIG = SlurmTestSupport.config("executor: {name: slurm, options: {launcher: /x/hwnas, "
            + "pool: 2}}", 8, 8, 0);

    /** A run directory with the resolved config and a driver's lock. */
    Path runDir() throws Exception {
        ExperimentConfig c = SlurmTestSupport.load(tmp, "exp.yaml", CONFIG);
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("config.yaml"), ConfigWriter.yaml(c));
        Files.writeString(run.resolve(PoolWorker.DRIVER_LOCK), "{}\n");
        return run;
    }

    @Test
    void twoWorkersShareTheQueueEvaluateEachCandidateOnceAndExitAtTheDoneMarker() throws Exception {
        Path run = runDir();
        RunSetup setup = RunSetup.bind(SlurmTestSupport.load(tmp, "exp.yaml", CONFIG), TestPlugins::device);
        SplittableRandom rng = new SplittableRandom(5);
        List<Architecture> archs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            archs.add(setup.space().sample(rng));
        }
        PoolQueue queue = new PoolQueue(run);
        queue.create();
        BatchDir b3 = new BatchDir(run, 3);
        b3.create();
        archs.forEach(a -> queue.enqueue(3, a, 1));
        b3.writeResult(setup.evaluator().evaluate(archs.get(0)), 0.5, 0); // an earlier attempt finished it

        StringWriter log0 = new StringWriter();
        StringWriter log1 = new StringWriter();
        CompletableFuture<Integer> w0 = CompletableFuture.supplyAsync(() -> PoolWorker.run(run, "77_0", 60_000,
                TestPlugins::device, new PrintWriter(log0, true)));
        CompletableFuture<Integer> w1 = CompletableFuture.supplyAsync(() -> PoolWorker.run(run, "77_1", 60_000,
                TestPlugins::device, new PrintWriter(log1, true)));
        SlurmTestSupport.await("every result", 60_000, () -> b3.resultNames().size() == 8
                && queue.claims().isEmpty());
        assertEquals(List.of(), queue.queued());
        for (Architecture a : archs) {
            assertEquals(setup.evaluator().evaluate(a), b3.result(a).orElseThrow().evaluation());
        }
        queue.markDone();
        assertEquals(0, w0.get(10, TimeUnit.SECONDS));
        assertEquals(0, w1.get(10, TimeUnit.SECONDS));
        String both = log0 + "" + log1;
        assertEquals(7, both.lines().filter(l -> l.startsWith("hwnas worker: evaluated ")).count(), both);
        assertEquals(1, both.lines().filter(l -> l.endsWith(" already done")).count(), both);
        assertTrue(log0.toString().contains("pool worker 77_0 exits (the driver is done)"), log0.toString());
    }

    @Test
    void aWorkerExitsWhenIdleOrWhenTheDriverIsGone() throws Exception {
        Path run = runDir();
        Path lock = run.resolve(PoolWorker.DRIVER_LOCK);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PoolWorker.run(run, "1_0",
                1000, TestPlugins::device, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().endsWith("has no worker pool (" + run.resolve("slurm/pool/queue") + " is missing)"),
                e.getMessage());
        new PoolQueue(run).create();
        StringWriter log = new StringWriter();
        assertEquals(0, PoolWorker.run(run, "1_0", 300, TestPlugins::device, new PrintWriter(log, true)));
        assertTrue(log.toString().contains("exits (no work for 0.3 s) after 0 evaluations"), log.toString());
        // a lock not renewed for longer than a driver's heartbeat allows: the driver was killed
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusMillis(PoolWorker.LOCK_SILENT_MS + 60_000)));
        StringWriter silent = new StringWriter();
        assertEquals(0, PoolWorker.run(run, "1_0", 60_000, TestPlugins::device, new PrintWriter(silent, true)));
        assertTrue(silent.toString().contains("exits (the driver's lock " + lock + " was not renewed since"),
                silent.toString());
    }
}
