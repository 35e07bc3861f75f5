package io.hwnas.experiments.exec.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.run.Runner;
import io.hwnas.experiments.run.TestPlugins;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** What the Slurm integration tests share: the cluster check, configs, launchers and run helpers. */
public final class SlurmTestSupport {

    static final String HOW_TO_ENABLE = "Slurm integration tests skipped: bring a local cluster up with "
            + "'scripts/slurm-local.sh up' (root), then run 'HWNAS_SLURM=1 mvn -B verify' (.ci/run does both)";

    private static volatile boolean toldHowToEnable;

    private SlurmTestSupport() {
    }

    /** Skips unless HWNAS_SLURM=1; then the cluster must answer. */
    public static void requireCluster() {
        if (!"1".equals(System.getenv("HWNAS_SLURM")) && !toldHowToEnable) {
            toldHowToEnable = true;
            System.err.println(HOW_TO_ENABLE);
        }
        assumeTrue("1".equals(System.getenv("HWNAS_SLURM")), HOW_TO_ENABLE);
        SlurmClient.Output o = SlurmClient.run(List.of("sinfo", "-h", "-o", "%t"));
        assertEquals(0, o.exitCode(), "HWNAS_SLURM=1 but sinfo fails: " + o.stderr());
    }

    /** A RunnerTest-style config: nb201, test-slow scores, two test devices, the test sampler. */
    static String config(String executor, int budget, int batch, long sleepMs) {
        return """
                name: slurm-test
                seed: 7
                space: {name: nb201}
                accuracy: {name: test-slow, options: {sleep_ms: %d, fail_on: "avg_pool_3x3~0|+|avg_pool_3x3~0"}}
                devices:
                  - {name: fast, profile: fast}
                  - {name: slow, profile: slow, batch: 2, constraints: {latency_ms: 400}}
                objectives: [latency_ms, energy_mj]
                strategy: {name: random, batch_size: %d}
                budget: %d
                %s
                output: out
                """.formatted(sleepMs, batch, budget, executor);
    }

    /** The worker command line of the tests: {@link TestWorkerMain} on this JVM's class path. */
    public static List<String> workerCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                TestWorkerMain.class.getName());
    }

    /** {@code [word, ...]} as a YAML flow list of double-quoted strings. */
    public static String yamlList(List<String> words) {
        List<String> q = new ArrayList<>();
        for (String w : words) {
            q.add(yamlString(w));
        }
        return "[" + String.join(", ", q) + "]";
    }

    /** A YAML double-quoted string. */
    static String yamlString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String slurmExecutor(int tasksPerArray, String extra) {
        return "executor: {name: slurm, options: {tasks_per_array: " + tasksPerArray + ", poll_interval_ms: 200, "
                + "launcher: " + yamlList(workerCommand()) + (extra.isEmpty() ? "" : ", " + extra) + "}}";
    }

    static ExperimentConfig load(Path dir, String name, String yaml) {
        try {
            Files.createDirectories(dir);
            Path f = dir.resolve(name);
            Files.writeString(f, yaml);
            return ConfigLoader.load(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Runner.Result run(ExperimentConfig c, Path dir, boolean resume) {
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        Progress p = new Progress(new PrintStream(System.err, true, StandardCharsets.UTF_8), true, c.budget(),
                DeviceObjectives.of(c));
        return new Runner(setup, dir, p).run(resume);
    }

    /** The reference run in {@code tmp/local}: the test config on local threads, with no sleep (scores do not depend on it). */
    static Path local(Path tmp, int budget, int batch) {
        ExperimentConfig c = load(tmp, "local.yaml", config("executor: {name: local, parallelism: 2}", budget, batch, 0));
        Path dir = tmp.resolve("local");
        run(c, dir, false);
        return dir;
    }

    static void assertSameFronts(Path expected, Path actual) {
        for (String dev : List.of("fast", "slow")) {
            assertEquals(read(expected.resolve("pareto/" + dev + ".json")),
                    read(actual.resolve("pareto/" + dev + ".json")), "Pareto set of " + dev);
        }
    }

    static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The submissions the run's sbatch log records. */
    static List<String> submissions(Path runDir) {
        return lines(SlurmExecutor.submissionsLog(runDir));
    }

    /** How many candidates the workers evaluated, over every batch, task and attempt (from the task logs). */
    public static int workerEvaluations(Path runDir) {
        try (Stream<Path> s = Files.walk(runDir.resolve("slurm"))) {
            return s.filter(f -> f.getFileName().toString().endsWith(".out"))
                    .mapToInt(f -> (int) lines(f).stream().filter(l -> l.contains("hwnas worker: evaluated ")).count())
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of the run's task logs that contain {@code text}. */
    static int workerLogLines(Path runDir, String text) {
        try (Stream<Path> s = Files.walk(runDir.resolve("slurm"))) {
            return s.filter(f -> f.getFileName().toString().endsWith(".out"))
                    .mapToInt(f -> (int) lines(f).stream().filter(l -> l.contains(text)).count())
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int count(Path dir) {
        try (Stream<Path> s = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            return (int) s.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until no task of the pool of the run in {@code dir} is queued or running. */
    public static void awaitPoolGone(Path dir) {
        String name = "hwnas-" + dir.getFileName() + "-pool";
        await("the pool's workers to exit", 60_000, () -> SlurmClient.run(List.of("squeue", "-h", "-n", name))
                .stdout().isBlank());
    }

    static void await(String what, long timeoutMs, BooleanSupplier condition) {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            SlurmClient.sleep(50);
        }
    }

    /** The command line of a search driver in its own JVM ({@link TestDriverMain}), so a test can SIGKILL it. */
    static List<String> driverCommand(Path config, Path dir, boolean resume) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                TestDriverMain.class.getName(), config.toString(), dir.toString()));
        if (resume) {
            cmd.add("--resume");
        }
        return cmd;
    }

    /**
     * Waits for the first array of {@code slurm/<folder>/} and for its task 1 to be evaluating, then cancels that
     * task ({@code scancel <job>_1}); returns the task's log ({@code logs/<logName>-1.<job>.out}).
     */
    static Path cancelTask1WhileEvaluating(Path dir, String folder, String logName) {
        Path jobs = dir.resolve("slurm/" + folder + "/jobs.txt");
        await(folder + " submitted", 30_000, () -> !lines(jobs).isEmpty());
        String job = lines(jobs).get(0).split(" ")[0];
        Path log = dir.resolve("slurm/" + folder + "/logs/" + logName + "-1." + job + ".out");
        await("task 1 evaluating", 60_000, () -> lines(log).stream().anyMatch(l -> l.contains("evaluating")));
        SlurmClient.Output o = SlurmClient.run(List.of("scancel", job + "_1"));
        assertEquals(0, o.exitCode(), o.stderr());
        return log;
    }

    /** Submits a command as a one-CPU batch job and returns its id. */
    static String sbatch(List<String> command, Path output) {
        String wrap = String.join(" ", command.stream().map(SlurmOptions::shellQuote).toList());
        return new SlurmClient().submit(List.of("--job-name=hwnas-test-driver", "--cpus-per-task=1",
                "--output=" + output, "--wrap=" + wrap));
    }

    /** True while a job is pending, running or completing. */
    static boolean queued(String jobId) {
        SlurmClient.Output o = SlurmClient.run(List.of("squeue", "-h", "-j", jobId, "-o", "%T"));
        return o.exitCode() == 0 && !o.stdout().isBlank();
    }
}
