package io.hwnas.experiments.exec.slurm;

import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.config;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.load;
import static io.hwnas.experiments.exec.slurm.SlurmTestSupport.slurmExecutor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.run.Runner;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput through Slurm versus local threads for evaluations of about a second, and Slurm's
 * scheduling overhead per array task. A benchmark that prints numbers, not a timed test: run it with
 * {@code HWNAS_SLURM=1 HWNAS_SLURM_BENCH=1 mvn -B -pl experiments -am test -Dtest=SlurmThroughputBench
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class SlurmThroughputBench {

    static final int BUDGET = 16;
    static final int BATCH = 8;
    static final long SLEEP_MS = 1000;
    static final int SLOTS = 2;

    @TempDir
    Path tmp;

    @Test
    void evaluationsPerSecond() {
        SlurmTestSupport.requireCluster();
        assumeTrue("1".equals(System.getenv("HWNAS_SLURM_BENCH")), "set HWNAS_SLURM_BENCH=1 to run the benchmark");
        double ideal = BUDGET * SLEEP_MS / 1000.0 / SLOTS;
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%d evaluations of %d ms in batches of %d on %d CPUs (ideal %.1f s with %d at once)%n", BUDGET,
                SLEEP_MS, BATCH, Runtime.getRuntime().availableProcessors(), ideal, SLOTS));
        double local = search("local", "executor: {name: local, parallelism: " + SLOTS + "}");
        out.append(line("local, 2 threads", local, 0, local));
        for (int tasks : List.of(2, 8)) {
            double s = search("slurm-" + tasks, slurmExecutor(tasks, ""));
            out.append(line("slurm, " + tasks + " tasks per array", s, tasks * (BUDGET / BATCH), local));
            out.append(String.format(Locale.ROOT, "%-28s worker JVM ready after %.2f s on average%n", "",
                    workerStartup(tmp.resolve("slurm-" + tasks))));
        }
        double pooled = search("slurm-pool", SlurmPoolClusterTest.pool(SLOTS));
        out.append(line("slurm, pool of " + SLOTS + " workers", pooled, 0, local));
        out.append(String.format(Locale.ROOT, "%-28s %.2f times the local wall time; worker JVM ready after %.2f s on "
                + "average%n", "", pooled / local, workerStartup(tmp.resolve("slurm-pool"))));
        double raw = rawArray(8, "sleep 1");
        out.append(String.format(Locale.ROOT, "bare sbatch array of 8 x 'sleep 1' (no JVM): %.2f s, overhead "
                + "%.2f s per task%n", raw, (raw - 8.0 / SLOTS) * SLOTS / 8));
        double empty = rawArray(8, "true");
        out.append(String.format(Locale.ROOT, "bare sbatch array of 8 x 'true': %.2f s (%.2f s per task slot)%n",
                empty, empty * SLOTS / 8));
        System.err.print(out);
    }

    private double search(String name, String executor) {
        ExperimentConfig c = load(tmp, name + ".yaml", config(executor, BUDGET, BATCH, SLEEP_MS));
        long t0 = System.nanoTime();
        Runner.Result r = SlurmTestSupport.run(c, tmp.resolve(name), false);
        assertEquals(BUDGET, r.evaluations());
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The overhead per array task: the time over the local run's, per task slot. */
    private static String line(String what, double seconds, int tasks, double local) {
        String overhead = tasks == 0 ? "" : String.format(Locale.ROOT, ", overhead %.2f s per array task "
                + "(vs local)", (seconds - local) * SLOTS / tasks);
        return String.format(Locale.ROOT, "%-28s %6.2f s  %5.2f evaluations/s%s%n", what, seconds,
                BUDGET / seconds, overhead);
    }

    /** The mean of the workers' "ready after" times, from the task logs. */
    private static double workerStartup(Path run) {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(run.resolve("slurm"))) {
            return s.filter(f -> f.toString().endsWith(".out")).flatMap(f -> SlurmTestSupport.lines(f).stream())
                    .filter(l -> l.contains("ready after ")).mapToDouble(l -> Double.parseDouble(
                            l.substring(l.indexOf("ready after ") + 12, l.indexOf(" s ("))))
                    .average().orElse(Double.NaN);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Seconds from sbatch until every task of an array of {@code n} tasks has left the queue. */
    private double rawArray(int n, String command) {
        long t0 = System.nanoTime();
        SlurmClient client = new SlurmClient();
        String id = client.submit(List.of("--array=0-" + (n - 1), "--output=/dev/null", "--wrap=" + command));
        while (true) {
            SlurmClient.Output o = SlurmClient.run(List.of("squeue", "-h", "-j", id));
            if (o.exitCode() == 0 && o.stdout().isBlank()) {
                return (System.nanoTime() - t0) / 1e9;
            }
            SlurmClient.sleep(20);
        }
    }
}
