package io.hwnas.experiments.exec.slurm;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.evaluate.Lineage;
import io.hwnas.experiments.setup.DeviceBinding;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One Slurm array task: loads the run's resolved {@code config.yaml}, binds it exactly as the
 * driver does, evaluates the task's share of the batch (skipping candidates an earlier attempt
 * finished) and writes one result file per candidate, whole, then renamed into place.
 */
public final class SlurmWorker {

    private SlurmWorker() {
    }

    /**
     * Runs one task.
     *
     * @param runDir the run directory (shared with the driver)
     * @param batch  the batch number
     * @param task   the array task id
     * @param binder binds the config's devices, as the driver's search command does
     * @param log    where to say what is evaluated (the task's Slurm log)
     * @return 0 when every candidate of the share has a result file
     * @throws IllegalArgumentException when the run directory, batch or task does not exist
     */
    public static int run(Path runDir, int batch, int task, DeviceBinding binder, PrintWriter log) {
        Path config = runDir.resolve("config.yaml");
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException(runDir + " is not a run directory (no config.yaml)");
        }
        BatchDir dir = new BatchDir(runDir, batch);
        List<List<Architecture>> tasks = dir.tasks();
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("batch " + batch + " has no task list (" + dir.dir().resolve(
                    "tasks.json") + " is missing)");
        }
        if (task < 0 || task >= tasks.size()) {
            throw new IllegalArgumentException("task " + task + " is not a task of batch " + batch + "; expected 0 to "
                    + (tasks.size() - 1));
        }
        RunSetup setup = RunSetup.load(config, binder);
        List<Architecture> share = tasks.get(task);
        Lineage lineage = new Lineage(runDir, setup.space());
        log.println(String.format(Locale.ROOT, "hwnas worker: ready after %.2f s (JVM start, config, binding)",
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3));
        int evaluated = 0;
        for (Architecture a : share) {
            if (Files.exists(dir.resultFile(a))) {
                log.println("hwnas worker: " + a + " already done");
                continue;
            }
            log.println("hwnas worker: evaluating " + a);
            log.flush();
            long t0 = System.nanoTime();
            Evaluation e = setup.evaluator().evaluate(a, lineage);
            double seconds = (System.nanoTime() - t0) / 1e9;
            dir.writeResult(e, seconds, task);
            evaluated++;
            log.println(String.format(Locale.ROOT, "hwnas worker: evaluated %s: %s in %.3f s", a, e.status(),
                    seconds));
            log.flush();
        }
        log.println("hwnas worker: batch " + batch + " task " + task + ": " + evaluated + " evaluated, "
                + (share.size() - evaluated) + " done before");
        log.flush();
        return 0;
    }
}
