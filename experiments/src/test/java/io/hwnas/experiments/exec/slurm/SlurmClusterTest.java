package io.hwnas.experiments.exec.slurm;

import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.assertSameFronts;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.await;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.config;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.count;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.lines;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.load;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.run;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.slurmExecutor;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.submissions;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.workerEvaluations;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.workerLogLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.exec.Executor;
import io.hwnas.experiments.exec.ExecutorPlugins;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.run.TestPlugins;
import io.hwnas.experiments.run.Journal;
import io.hwnas.experiments.run.Runner;
import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slurm executor against a real Slurm cluster (scripts/slurm-local.sh up; HWNAS_SLURM=1):
 * same Pareto sets as the local executor, retries of cancelled and failing tasks, and a killed
 * driver that resumes without running finished tasks again.
 */
class SlurmClusterTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void cluster() {
        SlurmTestSupport.requireCluster();
    }

    Path local(int budget, int batch) {
        return SlurmTestSupport.local(tmp, budget, batch);
    }

    @Test
    void jobArraysGiveTheParetoSetsOfTheLocalExecutor() {
        Path reference = local(24, 8);
        ExperimentConfig c = load(tmp, "slurm.yaml", config(slurmExecutor(4, ""), 24, 8, 0));
        Path dir = tmp.resolve("slurm");
        long t0 = System.nanoTime();
        Runner.Result r = run(c, dir, false);
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(24, r.evaluations());
        assertSameFronts(reference, dir);
        List<String> subs = submissions(dir);
        assertEquals(3, subs.size(), "one array per batch:\n" + subs);
        for (int b = 0; b < 3; b++) {
            assertTrue(subs.get(b).contains("batch=" + b + " ") && subs.get(b).contains(" array=0-3 attempt=1 "),
                    subs.get(b));
            assertEquals(8, count(dir.resolve("slurm/batch-" + b + "/results")));
        }
        assertEquals(24, workerEvaluations(dir));
        assertEquals(24, lines(dir.resolve(Journal.FILE)).size());
        // each task runs PyTorch on its allocation (cpus_per_task 1), not on every core of the node
        String threads = System.getenv("OMP_NUM_THREADS") != null ? System.getenv("OMP_NUM_THREADS") : "1";
        assertEquals(12, workerLogLines(dir, "with " + threads + " CPU threads"));
        System.err.printf("slurm: 24 evaluations in 3 arrays of 4 tasks: %.1f s%n", s);
    }

    @Test
    void aTaskCancelledMidRunIsRetriedAndTheResultIsTheSame() throws Exception {
        Path reference = local(8, 4);
        ExperimentConfig c = load(tmp, "slurm.yaml", config(slurmExecutor(2, ""), 8, 4, 1500));
        Path dir = tmp.resolve("slurm");
        CompletableFuture<Runner.Result> driver = CompletableFuture.supplyAsync(() -> run(c, dir, false));
        Path log = SlurmTestSupport.cancelTask1WhileEvaluating(dir, "batch-0", "task");
        Runner.Result r = driver.get(120, TimeUnit.SECONDS);
        assertEquals(8, r.evaluations());
        assertSameFronts(reference, dir);
        List<String> subs = submissions(dir);
        assertTrue(subs.stream().anyMatch(l -> l.contains("batch=0 ") && l.contains(" array=1 attempt=2 ")),
                "task 1 of batch 0 resubmitted:\n" + String.join("\n", subs));
        assertEquals(3, subs.size(), String.join("\n", subs));
        assertTrue(lines(log).stream().noneMatch(l -> l.contains("evaluated") && l.contains("task 1:")),
                "the first attempt of task 1 did not finish");
    }

    @Test
    void tasksLostWithTheirNodeAreRetried() throws Exception {
        Path reference = local(4, 4);
        ExperimentConfig c = load(tmp, "slurm.yaml", config(slurmExecutor(2, ""), 4, 4, 1500));
        Path dir = tmp.resolve("slurm");
        CompletableFuture<Runner.Result> driver = CompletableFuture.supplyAsync(() -> run(c, dir, false));
        Path jobs = dir.resolve("slurm/batch-0/jobs.txt");
        await("batch 0 submitted", 30_000, () -> !lines(jobs).isEmpty());
        String job = lines(jobs).get(0).split(" ")[0];
        Path log = dir.resolve("slurm/batch-0/logs/task-0." + job + ".out");
        await("task 0 evaluating", 30_000, () -> lines(log).stream().anyMatch(l -> l.contains("evaluating")));
        String node = SlurmClient.run(List.of("sinfo", "-h", "-o", "%N")).stdout().strip();
        try {
            SlurmClient.Output o = SlurmClient.run(List.of("scontrol", "update", "nodename=" + node, "state=down",
                    "reason=hwnas-node-failure-test"));
            assertEquals(0, o.exitCode(), o.stderr());
            await("the tasks of job " + job + " in NODE_FAIL", 10_000, () -> SlurmClient.run(
                    List.of("scontrol", "-o", "show", "job", job)).stdout().contains("JobState=NODE_FAIL"));
        } finally {
            // the node comes back when slurmd registers again (ReturnToService=2); make sure it does
            await("node " + node + " back", 30_000, () -> {
                String t = SlurmClient.run(List.of("sinfo", "-h", "-o", "%t")).stdout().strip();
                if (t.startsWith("down") || t.startsWith("drain")) {
                    SlurmClient.run(List.of("scontrol", "update", "nodename=" + node, "state=resume"));
                }
                return t.equals("idle") || t.equals("mix") || t.equals("alloc");
            });
        }
        Runner.Result r = driver.get(120, TimeUnit.SECONDS);
        assertEquals(4, r.evaluations());
        assertSameFronts(reference, dir);
        List<String> subs = submissions(dir);
        assertEquals(2, subs.size(), String.join("\n", subs));
        assertTrue(subs.get(1).contains(" array=0-1 attempt=2 "), subs.get(1));
    }

    @Test
    void aTaskThatKeepsFailingBecomesFailedEvaluationsAndTheSearchGoesOn() {
        // a launcher that fails for array task 1 every time, before Java starts
        String launcher = "test \"$SLURM_ARRAY_TASK_ID\" != 1 && " + String.join(" ",
                SlurmTestSupport.workerCommand().stream().map(SlurmOptions::shellQuote).toList());
        String executor = "executor: {name: slurm, options: {tasks_per_array: 2, poll_interval_ms: 200, "
                + "max_retries: 1, launcher: " + SlurmTestSupport.yamlString(launcher) + "}}";
        ExperimentConfig c = load(tmp, "slurm.yaml", config(executor, 8, 4, 0));
        Path dir = tmp.resolve("slurm");
        Runner.Result r = run(c, dir, false);
        assertEquals(8, r.evaluations());
        List<Evaluation> journal = new ArrayList<>();
        try (Journal j = Journal.open(dir)) {
            j.entries().forEach(e -> journal.add(e.evaluation()));
        }
        List<Evaluation> failed = journal.stream().filter(e -> e.status() == Evaluation.Status.FAILED
                && e.error().startsWith("Slurm task 1 of batch")).toList();
        assertEquals(4, failed.size(), "two candidates of task 1 in each of two batches: " + journal);
        assertTrue(failed.get(0).error().contains("failed 2 times (last: job ") && failed.get(0).error().contains(
                "FAILED, exit code 1:0"), failed.get(0).error());
        assertEquals(8, journal.size());
        // per batch: the array, then task 1 once more
        List<String> subs = submissions(dir);
        assertEquals(4, subs.size(), String.join("\n", subs));
        assertTrue(subs.get(1).contains("batch=0 ") && subs.get(1).contains(" array=1 attempt=2 "), subs.get(1));
    }

    @Test
    void aDriverKilledWithSigkillResumesWithoutRerunningFinishedTasks() throws Exception {
        Path reference = local(12, 6);
        load(tmp, "slurm.yaml", config(slurmExecutor(3, ""), 12, 6, 1000));
        Path dir = tmp.resolve("slurm");
        Path results1 = dir.resolve("slurm/batch-1/results");
        Process first = driver(dir, false, "driver-1.log");
        try {
            // kill the driver once batch 1 runs and has a first result
            await("a result of batch 1", 90_000, () -> count(results1) >= 1 || !first.isAlive());
            assertTrue(first.isAlive(), "the driver ended before it could be killed");
        } finally {
            first.destroyForcibly(); // SIGKILL
            first.waitFor(10, TimeUnit.SECONDS);
        }
        int atKill = count(results1);
        // tasks finish while no driver runs
        await("tasks of batch 1 finishing without a driver", 60_000, () -> count(results1) >= 4);
        int atResume = count(results1);
        assertTrue(atResume < 6, "task 2 of batch 1 still runs when the driver resumes");
        Process second = driver(dir, true, "driver-2.log");
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the resumed driver finished");
        assertEquals(0, second.exitValue(), SlurmTestSupport.read(tmp.resolve("driver-2.log")));
        assertSameFronts(reference, dir);
        List<String> subs = submissions(dir);
        assertEquals(2, subs.size(), "one array per batch, none submitted again:\n" + String.join("\n", subs));
        assertEquals(12, workerEvaluations(dir), "every candidate evaluated once");
        List<String> journal = lines(dir.resolve(Journal.FILE));
        assertEquals(12, journal.size());
        Set<String> archs = new HashSet<>();
        try (Journal j = Journal.open(dir)) {
            j.entries().forEach(e -> archs.add(e.evaluation().architecture().canonical()));
        }
        assertEquals(12, archs.size());
        System.err.printf("killed driver: batch 1 had %d of 6 results at the kill, %d at the resume%n", atKill,
                atResume);
    }

    @Test
    void aDriverRunningAsASlurmJobIsCancelledAndResumedByAnotherJob() {
        Path reference = local(8, 4);
        load(tmp, "slurm.yaml", config(slurmExecutor(2, ""), 8, 4, 500));
        Path dir = tmp.resolve("slurm");
        String first = SlurmTestSupport.sbatch(driverCommand(dir, false), tmp.resolve("driver-1.out"));
        await("batch 1 submitted by the driver job", 90_000, () -> submissions(dir).size() >= 2);
        assertEquals(0, SlurmClient.run(List.of("scancel", first)).exitCode());
        await("the driver job gone", 30_000, () -> !SlurmTestSupport.queued(first));
        String second = SlurmTestSupport.sbatch(driverCommand(dir, true), tmp.resolve("driver-2.out"));
        await("the resumed driver job done", 120_000, () -> !SlurmTestSupport.queued(second));
        String state = SlurmClient.run(List.of("scontrol", "-o", "show", "job", second)).stdout();
        assertTrue(state.contains("JobState=COMPLETED"), state + SlurmTestSupport.read(tmp.resolve("driver-2.out")));
        assertSameFronts(reference, dir);
        assertEquals(2, submissions(dir).size(), String.join("\n", submissions(dir)));
        assertEquals(8, workerEvaluations(dir));
    }

    @Test
    void anArraySubmittedButNotRecordedIsFoundByNameAndWaitedFor() throws Exception {
        ExperimentConfig c = load(tmp, "slurm.yaml", config(slurmExecutor(2, ""), 4, 4, 1000));
        Path dir = tmp.resolve("run");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.yaml"), ConfigWriter.yaml(c));
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        SplittableRandom rng = new SplittableRandom(11);
        List<Architecture> batch = List.of(setup.space().sample(rng), setup.space().sample(rng),
                setup.space().sample(rng), setup.space().sample(rng));
        Executor.ResultListener ignore = (e, s) -> { };
        Path jobs = dir.resolve("slurm/batch-0/jobs.txt");
        Thread first = new Thread(() -> {
            try (Executor ex = setup.executor().create(dir, null)) {
                ex.evaluate(0, batch, ignore);
            } catch (RuntimeException interrupted) {
                // the driver stops here, as if killed
            }
        });
        first.start();
        await("batch 0 submitted", 30_000, () -> !submissions(dir).isEmpty());
        first.interrupt();
        first.join(10_000);
        String job = lines(jobs).get(0).split(" ")[0];
        Files.delete(jobs); // killed between sbatch and recording the job
        List<Evaluation> got;
        try (Executor ex = setup.executor().create(dir, null)) {
            got = ex.evaluate(0, batch, ignore);
        }
        assertEquals(batch.stream().map(setup.evaluator()::evaluate).toList(), got);
        assertEquals(1, submissions(dir).size(), String.join("\n", submissions(dir)));
        assertEquals(List.of(job + " 0-1"), lines(jobs), "the running array was adopted");
        assertEquals(4, workerEvaluations(dir));
    }

    /**
     * {@code hwnas serve} (its own JVM, as on a login node) follows the run directory of a driver that runs as a
     * Slurm job: it shows the evaluations while the job runs, then all of them.
     */
    @Test
    void serveFollowsTheRunDirectoryOfADriverRunningAsASlurmJob() throws Exception {
        // catalog devices: the serve process binds the run's config as a user's would (the test profiles are the
        // test driver's own)
        load(tmp, "slurm.yaml", config(slurmExecutor(2, ""), 8, 4, 700).replace("{name: fast, profile: fast}",
                "{name: raspi4}").replace("{name: slow, profile: slow, batch: 2, constraints: {latency_ms: 400}}",
                "{name: edge-tpu}"));
        Path dir = tmp.resolve("slurm");
        String job = SlurmTestSupport.sbatch(driverCommand(dir, false), tmp.resolve("driver.out"));
        await("the run directory's journal", 90_000, () -> Files.isRegularFile(dir.resolve(Journal.FILE)));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "io.hwnas.experiments.cli.HwnasCli", "serve", dir.toString(),
                "--port", String.valueOf(port)).redirectErrorStream(true).redirectOutput(tmp.resolve("serve.log").toFile())
                .start();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI data = java.net.URI.create("http://127.0.0.1:" + port + "/run/0/data.json");
        Set<Integer> seen = new java.util.TreeSet<>();
        try {
            long end = System.nanoTime() + 150_000_000_000L;
            while (System.nanoTime() < end && (SlurmTestSupport.queued(job) || !seen.contains(8))) {
                try {
                    var r = http.send(java.net.http.HttpRequest.newBuilder(data).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        seen.add(io.hwnas.core.io.Json.MAPPER.readTree(r.body()).path("evals").size());
                    }
                } catch (java.io.IOException notUpYet) {
                    assertTrue(serve.isAlive(), SlurmTestSupport.read(tmp.resolve("serve.log")));
                }
                Thread.sleep(200);
            }
        } finally {
            serve.destroy();
        }
        assertTrue(seen.contains(8), "every evaluation shown at the end: " + seen);
        assertTrue(seen.stream().anyMatch(n -> n > 0 && n < 8), "evaluations shown while the job ran: " + seen);
        assertEquals(8, lines(dir.resolve(Journal.FILE)).size());
        System.err.println("serve on a Slurm driver's run: evaluation counts seen " + seen);
    }

    private Process driver(Path dir, boolean resume, String log) throws Exception {
        return new ProcessBuilder(driverCommand(dir, resume)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(log).toFile()).start();
    }

    private List<String> driverCommand(Path dir, boolean resume) {
        return SlurmTestSupport.driverCommand(tmp.resolve("slurm.yaml"), dir, resume);
    }
}
