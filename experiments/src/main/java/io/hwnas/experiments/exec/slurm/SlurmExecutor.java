package io.hwnas.experiments.exec.slurm;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.exec.DriverCompletion;
import io.hwnas.experiments.exec.Executor;
import io.hwnas.experiments.exec.ExecutorProvider;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.search.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates each batch as one Slurm job array: every array task runs {@code hwnas worker} on its
 * share of the batch and writes one result file per candidate into the run directory, which must be
 * on a filesystem the nodes share. The driver reports results as their files appear, resubmits tasks
 * that failed, were cancelled, timed out or lost their node (up to {@code max_retries} times), and
 * records the candidates of a task that keeps failing as FAILED evaluations. Everything it needs to
 * go on after being killed is on disk: finished results are picked up and arrays still queued or
 * running are waited for, not submitted again.
 */
public final class SlurmExecutor implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(SlurmExecutor.class);
    /** How long a task Slurm calls COMPLETED may take to show its result files (NFS attribute caches). */
    static final long COMPLETED_GRACE_MS = 30_000;

    private final SlurmOptions options;
    private final Path runDir;
    private final SlurmClient slurm;
    private final Set<String> warnedNeverStarts = new java.util.HashSet<>();
    /** The worker pool, when {@code pool} is set; null for one job array per batch. */
    private final SlurmPool pool;

    public SlurmExecutor(SlurmOptions options, Path runDir) {
        this(options, runDir, new SlurmClient());
    }

    /** An executor whose Slurm commands go to {@code slurm} (a scripted cluster in tests). */
    SlurmExecutor(SlurmOptions options, Path runDir, SlurmClient slurm) {
        this.options = options;
        this.runDir = runDir.toAbsolutePath().normalize();
        this.slurm = slurm;
        this.pool = options.pool() > 0 ? new SlurmPool(this, options, this.runDir, slurm) : null;
    }

    /** The file with one line per sbatch submission of the run. */
    public static Path submissionsLog(Path runDir) {
        return BatchDir.slurmDir(runDir).resolve("submissions.log");
    }

    @Override
    public List<Evaluation> evaluate(int batchIndex, List<Architecture> batch, ResultListener onResult) {
        if (pool != null) {
            return pool.evaluate(batchIndex, batch, onResult);
        }
        BatchDir dir = new BatchDir(runDir, batchIndex);
        dir.create();
        List<List<Architecture>> tasks = assignTasks(dir, batch);
        writeScript(dir, "batch " + dir.batch(), "each array task evaluates its share of tasks.json", "--batch "
                + dir.batch() + " --task \"${SLURM_ARRAY_TASK_ID}\"");
        List<BatchDir.Job> jobs = new ArrayList<>(dir.jobs());
        adoptUnrecordedJobs(dir, jobs);
        BatchRun run = new BatchRun(dir, tasks, jobs, batch, onResult);
        AdaptivePoll poll = new AdaptivePoll(options.pollIntervalMs());
        while (!run.step()) {
            SlurmClient.sleep(poll.next(run.progressed));
        }
        List<Evaluation> out = new ArrayList<>(batch.size());
        for (Architecture a : batch) {
            out.add(run.done.get(a));
        }
        return out;
    }

    /** The driver's view of one batch while it runs: which task holds what, its jobs and attempts. */
    private final class BatchRun {
        private final BatchDir dir;
        private final List<List<Architecture>> tasks;
        private final ResultListener onResult;
        private final Map<Architecture, Integer> taskOf = new HashMap<>();
        private final Map<Integer, String> jobOf = new HashMap<>();
        private final Map<Integer, Integer> attempts = new HashMap<>();
        private final Map<Architecture, Evaluation> done = new HashMap<>();
        private final Set<Architecture> pending;
        private final Map<Integer, Long> completedWithoutResults = new HashMap<>();
        /** Whether the last step collected a result or submitted a task. */
        private boolean progressed;

        BatchRun(BatchDir dir, List<List<Architecture>> tasks, List<BatchDir.Job> jobs, List<Architecture> batch,
                ResultListener onResult) {
            this.dir = dir;
            this.tasks = tasks;
            this.onResult = onResult;
            this.pending = new LinkedHashSet<>(batch);
            for (int k = 0; k < tasks.size(); k++) {
                for (Architecture a : tasks.get(k)) {
                    taskOf.putIfAbsent(a, k);
                }
            }
            for (BatchDir.Job j : jobs) {
                for (int k : j.tasks()) {
                    jobOf.put(k, j.jobId());
                    attempts.merge(k, 1, Integer::sum);
                }
            }
        }

        /** One poll: collect results, resubmit or give up on ended tasks, submit new ones; true when done. */
        boolean step() {
            int before = pending.size();
            Map<String, Optional<Map<Integer, SlurmClient.TaskState>>> states = new HashMap<>();
            for (int k : openTasks(pending, taskOf)) {
                String j = jobOf.get(k);
                if (j != null) {
                    states.computeIfAbsent(j, slurm::arrayStates);
                }
            }
            // read results after asking Slurm, so that a task Slurm calls finished has its files seen
            collect(dir, pending, done, onResult);
            List<Integer> submit = new ArrayList<>();
            for (int k : openTasks(pending, taskOf)) {
                String j = jobOf.get(k);
                if (j == null) {
                    submit.add(k);
                } else if (ended(k, j, states.get(j))) {
                    retryOrFail(k, j, states.get(j).orElseThrow().get(k), submit);
                }
            }
            if (!submit.isEmpty()) {
                String id = submit(dir, submit, attempts);
                for (int k : submit) {
                    jobOf.put(k, id);
                    attempts.merge(k, 1, Integer::sum);
                }
            }
            progressed = pending.size() < before || !submit.isEmpty();
            return pending.isEmpty();
        }

        /** True when task {@code k} of job {@code j} will not write its missing results any more. */
        private boolean ended(int k, String j, Optional<Map<Integer, SlurmClient.TaskState>> known) {
            if (known == null || known.isEmpty()) {
                return false; // Slurm did not answer this time
            }
            SlurmClient.TaskState st = known.get().get(k);
            if (st != null && !st.terminal()) {
                if (st.state().equals("PENDING") && SlurmClient.NEVER_STARTS.contains(st.reason())
                        && warnedNeverStarts.add(j + "_" + k)) {
                    LOG.warn("batch {} task {}: job {}_{} is pending with reason {}, which Slurm will not resolve "
                            + "by itself; check executor.options or scancel it", dir.batch(), k, j, k, st.reason());
                }
                return false;
            }
            if (st != null && st.state().equals("COMPLETED")) {
                long since = completedWithoutResults.computeIfAbsent(k, x -> System.currentTimeMillis());
                if (System.currentTimeMillis() - since < COMPLETED_GRACE_MS) {
                    return false;
                }
            }
            completedWithoutResults.remove(k);
            return true;
        }

        private void retryOrFail(int k, String j, SlurmClient.TaskState st, List<Integer> submit) {
            String what = "job " + j + "_" + k + (st == null ? " is no longer known to Slurm" : " ended " + st);
            int tries = attempts.getOrDefault(k, 0);
            if (tries <= options.maxRetries()) {
                LOG.info("batch {} task {}: {}; resubmitting (attempt {} of {})", dir.batch(), k, what, tries + 1,
                        options.maxRetries() + 1);
                submit.add(k);
                return;
            }
            String error = "Slurm task " + k + " of batch " + dir.batch() + " failed " + tries + " time"
                    + (tries == 1 ? "" : "s") + " (last: " + what + "); see "
                    + dir.logs().resolve("task-" + k + "." + j + ".out");
            LOG.warn(error);
            for (Architecture a : tasks.get(k)) {
                if (pending.remove(a)) {
                    Evaluation e = Evaluation.failed(a, error);
                    done.put(a, e);
                    onResult.accept(e, 0);
                }
            }
        }
    }

    /** Reports every pending candidate whose result file has appeared (one directory listing a poll). */
    static void collect(BatchDir dir, Set<Architecture> pending, Map<Architecture, Evaluation> done,
            ResultListener onResult) {
        Set<String> present = dir.resultNames();
        for (var it = pending.iterator(); it.hasNext();) {
            Architecture a = it.next();
            if (!present.contains(dir.resultFile(a).getFileName().toString())) {
                continue;
            }
            Optional<BatchDir.Result> r = dir.result(a);
            if (r.isPresent()) {
                it.remove();
                done.put(a, r.get().evaluation());
                onResult.accept(r.get().evaluation(), r.get().seconds());
            }
        }
    }

    private static Set<Integer> openTasks(Set<Architecture> pending, Map<Architecture, Integer> taskOf) {
        Set<Integer> open = new java.util.TreeSet<>();
        for (Architecture a : pending) {
            open.add(taskOf.get(a));
        }
        return open;
    }

    /**
     * The batch's task list: the one on disk (a resumed run), extended with new tasks for any
     * candidate it lacks, or a fresh split into at most {@code tasks_per_array} even shares.
     */
    private List<List<Architecture>> assignTasks(BatchDir dir, List<Architecture> batch) {
        List<List<Architecture>> tasks = new ArrayList<>(dir.tasks());
        Set<Architecture> assigned = new java.util.HashSet<>();
        tasks.forEach(assigned::addAll);
        List<Architecture> fresh = batch.stream().filter(a -> !assigned.contains(a)).distinct().toList();
        if (fresh.isEmpty()) {
            return tasks;
        }
        int n = Math.min(fresh.size(), options.tasksPerArray());
        for (int k = 0; k < n; k++) {
            // contiguous shares whose sizes differ by at most one
            int from = (int) ((long) fresh.size() * k / n);
            int to = (int) ((long) fresh.size() * (k + 1) / n);
            tasks.add(List.copyOf(fresh.subList(from, to)));
        }
        dir.writeTasks(tasks);
        return tasks;
    }

    /** Writes {@code dir}'s job script, which runs {@code <launcher> worker --run <run dir> <args>}. */
    void writeScript(BatchDir dir, String what, String comment, String args) {
        String script = "#!/bin/bash\n"
                + "# hwnas worker for " + what + " of the run in " + runDir + "\n"
                + "# (written by the slurm executor; " + comment + ")\n"
                + "# PyTorch's CPU threads: the task's allocation, not every core of the node (tasks share nodes)\n"
                + "export OMP_NUM_THREADS=\"${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}\"\n"
                + "echo \"hwnas worker: " + what + " task ${SLURM_ARRAY_TASK_ID} "
                + "(job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}) on $(hostname) at $(date -u +%FT%TZ) "
                + "with ${OMP_NUM_THREADS} CPU threads\" >&2\n"
                + options.launcher() + " worker --run " + SlurmOptions.shellQuote(runDir.toString()) + " " + args
                + "\n";
        try {
            if (Files.exists(dir.script()) && Files.readString(dir.script(), StandardCharsets.UTF_8).equals(script)) {
                return;
            }
            BatchDir.writeAtomically(dir.script(), script);
            dir.script().toFile().setExecutable(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.script(), e);
        }
    }

    String jobName(int batch) {
        return jobName("b" + batch);
    }

    /** {@code hwnas-<run dir name>-<suffix>}. */
    String jobName(String suffix) {
        String run = runDir.getFileName() == null ? "run" : runDir.getFileName().toString();
        run = run.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (run.length() > 40) {
            run = run.substring(0, 40);
        }
        return "hwnas-" + run + "-" + suffix;
    }

    /**
     * Jobs of this batch that Slurm runs but {@code jobs.txt} lacks: the driver was killed between
     * sbatch and recording the job id. Their queued and running tasks are waited for like any other.
     */
    private void adoptUnrecordedJobs(BatchDir dir, List<BatchDir.Job> jobs) {
        if (dir.tasks().isEmpty() || !Files.exists(dir.script())) {
            return;
        }
        adoptUnrecordedJobs(dir, jobs, jobName(dir.batch()), "batch " + dir.batch());
    }

    /** Adopts the queued or running arrays named {@code name} that run {@code dir}'s script and {@code jobs} lacks. */
    void adoptUnrecordedJobs(BatchDir dir, List<BatchDir.Job> jobs, String name, String what) {
        Set<String> known = new java.util.HashSet<>();
        jobs.forEach(j -> known.add(j.jobId()));
        for (String id : slurm.activeJobs(name, dir.script().toString())) {
            if (known.contains(id)) {
                continue;
            }
            Optional<Map<Integer, SlurmClient.TaskState>> st = slurm.arrayStates(id);
            if (st.isEmpty() || st.get().isEmpty()) {
                continue;
            }
            BatchDir.Job job = new BatchDir.Job(id, List.copyOf(new java.util.TreeSet<>(st.get().keySet())));
            LOG.info("{}: adopting job {} (tasks {}), submitted before the driver stopped", what, id,
                    ArraySpec.format(job.tasks()));
            dir.recordJob(job);
            jobs.add(job);
        }
    }

    private String submit(BatchDir dir, List<Integer> tasks, Map<Integer, Integer> attempts) {
        int attempt = tasks.stream().mapToInt(k -> attempts.getOrDefault(k, 0)).max().orElse(0) + 1;
        return submit(dir, tasks, jobName(dir.batch()), "task-%a.%A.out", Integer.toString(dir.batch()), attempt);
    }

    /**
     * Submits {@code dir}'s script as an array of {@code tasks}, records the job in {@code dir}'s
     * {@code jobs.txt} and in the run's submissions log ({@code batch=<label>}), and returns its id.
     */
    String submit(BatchDir dir, List<Integer> tasks, String name, String log, String label, int attempt) {
        String array = ArraySpec.format(tasks);
        List<String> args = new ArrayList<>();
        args.add("--array=" + array);
        args.add("--job-name=" + name);
        args.add("--chdir=" + runDir);
        args.add("--output=" + dir.logs().resolve(log));
        args.add("--open-mode=append");
        // the driver retries tasks lost with their node at once and counts them against max_retries;
        // Slurm's own requeue would hold them back ~2 minutes (extra_sbatch_args: [--requeue] restores it)
        args.add("--no-requeue");
        args.addAll(options.sbatchArgs());
        args.add(dir.script().toString());
        String id = slurm.submit(args);
        dir.recordJob(new BatchDir.Job(id, tasks));
        BatchDir.appendSynced(submissionsLog(runDir), Instant.now() + " batch=" + label + " job=" + id
                + " array=" + array + " attempt=" + attempt + " sbatch " + String.join(" ", args) + "\n");
        LOG.debug("batch {}: submitted job {} with tasks {}", label, id, array);
        return id;
    }

    @Override
    public void close() {
        // Arrays still running are left to finish: a resumed run picks up their results. A pool's
        // workers are told to exit.
        if (pool != null) {
            pool.close();
        }
    }

    /** The {@code slurm} executor provider. */
    public static final class Provider implements ExecutorProvider {
        @Override
        public String name() {
            return "slurm";
        }

        @Override
        public Configured configure(ExperimentConfig.ExecutorSpec spec, String configFile) {
            // every option is checked now; the launcher's default depends on where hwnas runs from, so
            // the run's directory and launcher are checked when the executor starts
            SlurmOptions.parse(spec.options(), configFile, "hwnas");
            // the workers cost a device measured through an agent with its model; the driver measures it
            return (runDir, evaluator) -> DriverCompletion.wrap(new SlurmExecutor(SlurmOptions.parse(spec.options(),
                    runDir.resolve("config.yaml").toString(), SlurmOptions.defaultLauncher()), runDir), evaluator);
        }
    }
}
