package io.hwnas.experiments.exec.slurm;

import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.assertSameFronts;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.await;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.config;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.count;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.lines;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.load;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.run;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.submissions;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.workerEvaluations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.run.Journal;
import io.hwnas.experiments.run.Runner;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slurm executor's worker pool against a real Slurm cluster (scripts/slurm-local.sh up; HWNAS_SLURM=1): the
 * Pareto sets of the local executor from one job array, a worker cancelled while it evaluates, and a driver
 * killed with SIGKILL that resumes with the pool it left running.
 */
class SlurmPoolClusterTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void cluster() {
        SlurmTestSupport.requireCluster();
    }

    Path local(int budget, int batch) {
        return SlurmTestSupport.local(tmp, budget, batch);
    }

    static String pool(int workers) {
        return "executor: {name: slurm, options: {pool: " + workers + ", poll_interval_ms: 200, launcher: "
                + SlurmTestSupport.yamlList(SlurmTestSupport.workerCommand()) + "}}";
    }

    @Test
    void onePoolGivesTheParetoSetsOfTheLocalExecutorAndExitsWithTheDriver() {
        Path reference = local(24, 8);
        ExperimentConfig c = load(tmp, "slurm.yaml", config(pool(2), 24, 8, 0));
        Path dir = tmp.resolve("slurm");
        long t0 = System.nanoTime();
        Runner.Result r = run(c, dir, false);
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(24, r.evaluations());
        assertSameFronts(reference, dir);
        List<String> subs = submissions(dir);
        assertEquals(1, subs.size(), "one array for the search:\n" + subs);
        assertTrue(subs.get(0).contains(" batch=pool ") && subs.get(0).contains(" array=0-1 attempt=1 "), subs.get(0));
        for (int b = 0; b < 3; b++) {
            assertEquals(8, count(dir.resolve("slurm/batch-" + b + "/results")));
        }
        assertEquals(24, workerEvaluations(dir));
        assertEquals(24, lines(dir.resolve(Journal.FILE)).size());
        SlurmTestSupport.awaitPoolGone(dir);
        assertEquals(2, SlurmTestSupport.workerLogLines(dir, "exits (the driver is done)"));
        System.err.printf("slurm pool: 24 evaluations in 3 batches through 2 workers: %.1f s%n", s);
    }

    @Test
    void aWorkerCancelledWhileEvaluatingHasItsCandidateTakenByTheOtherWorker() throws Exception {
        Path reference = local(8, 4);
        ExperimentConfig c = load(tmp, "slurm.yaml", config(pool(2), 8, 4, 1500));
        Path dir = tmp.resolve("slurm");
        CompletableFuture<Runner.Result> driver = CompletableFuture.supplyAsync(() -> run(c, dir, false));
        Path log = SlurmTestSupport.cancelTask1WhileEvaluating(dir, "pool", "worker");
        Runner.Result r = driver.get(180, TimeUnit.SECONDS);
        assertEquals(8, r.evaluations());
        assertSameFronts(reference, dir);
        assertEquals(1, submissions(dir).size(), "worker 0 goes on: " + submissions(dir));
        assertEquals(8, workerEvaluations(dir), "the cancelled evaluation did not finish; the others once each");
        assertTrue(lines(log).stream().noneMatch(l -> l.contains("hwnas worker: evaluated ")), "worker 1 was "
                + "cancelled in its first evaluation");
        assertEquals(8, lines(dir.resolve(Journal.FILE)).size());
        SlurmTestSupport.awaitPoolGone(dir);
    }

    @Test
    void aPoolCancelledWhileItEvaluatesIsSubmittedAgain() throws Exception {
        Path reference = local(8, 4);
        ExperimentConfig c = load(tmp, "slurm.yaml", config(pool(2), 8, 4, 1500));
        Path dir = tmp.resolve("slurm");
        CompletableFuture<Runner.Result> driver = CompletableFuture.supplyAsync(() -> run(c, dir, false));
        Path jobs = dir.resolve("slurm/pool/jobs.txt");
        await("the pool submitted", 30_000, () -> !lines(jobs).isEmpty());
        String job = lines(jobs).get(0).split(" ")[0];
        Path log = dir.resolve("slurm/pool/logs/worker-0." + job + ".out");
        await("worker 0 evaluating", 60_000, () -> lines(log).stream().anyMatch(l -> l.contains("evaluating")));
        SlurmClient.Output o = SlurmClient.run(List.of("scancel", job));
        assertEquals(0, o.exitCode(), o.stderr());
        Runner.Result r = driver.get(180, TimeUnit.SECONDS);
        assertEquals(8, r.evaluations());
        assertSameFronts(reference, dir);
        List<String> subs = submissions(dir);
        assertEquals(2, subs.size(), String.join("\n", subs));
        assertTrue(subs.get(1).contains(" batch=pool ") && subs.get(1).contains(" attempt=2 "), subs.get(1));
        assertEquals(8, lines(dir.resolve(Journal.FILE)).size());
        try (Journal j = Journal.open(dir)) {
            assertTrue(j.entries().stream().allMatch(e -> e.evaluation().error() == null
                    || !e.evaluation().error().contains("Slurm")), "no candidate failed for the cancelled pool");
        }
        SlurmTestSupport.awaitPoolGone(dir);
    }

    @Test
    void aDriverKilledWithSigkillResumesWithThePoolItLeftRunning() throws Exception {
        Path reference = local(12, 6);
        Path config = tmp.resolve("slurm.yaml");
        load(tmp, "slurm.yaml", config(pool(2), 12, 6, 1000));
        Path dir = tmp.resolve("slurm");
        Path results1 = dir.resolve("slurm/batch-1/results");
        Process first = new ProcessBuilder(SlurmTestSupport.driverCommand(config, dir, false)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("driver-1.log").toFile()).start();
        try {
            await("a result of batch 1", 90_000, () -> count(results1) >= 1 || !first.isAlive());
            assertTrue(first.isAlive(), "the driver ended before it could be killed");
        } finally {
            first.destroyForcibly(); // SIGKILL: no done marker, the lock left behind
            first.waitFor(10, TimeUnit.SECONDS);
        }
        // the workers go on with the queued candidates while no driver runs
        await("batch 1 evaluated without a driver", 60_000, () -> count(results1) == 6);
        Process second = new ProcessBuilder(SlurmTestSupport.driverCommand(config, dir, true)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("driver-2.log").toFile()).start();
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the resumed driver finished");
        assertEquals(0, second.exitValue(), SlurmTestSupport.read(tmp.resolve("driver-2.log")));
        assertSameFronts(reference, dir);
        assertEquals(1, submissions(dir).size(), "the pool was adopted:\n" + String.join("\n", submissions(dir)));
        assertEquals(12, workerEvaluations(dir), "every candidate evaluated once");
        assertEquals(12, lines(dir.resolve(Journal.FILE)).size());
        SlurmTestSupport.awaitPoolGone(dir);
    }
}
