package io.hwnas.experiments.exec.slurm;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.exec.Executor.ResultListener;
import io.hwnas.search.Evaluation;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slurm executor's worker pool ({@code executor.options.pool: N}): one job array of N long-lived
 * {@code hwnas worker --pool} tasks serves every batch of the search. Each batch becomes one queue file
 * per candidate ({@link PoolQueue}); workers claim, evaluate and write result files as in the per-batch
 * mode, and the driver reports each result as its file appears. A claim held by a worker that Slurm says
 * ended (failed, cancelled, timed out, lost its node, forgotten) is put back into the queue, up to
 * {@code max_retries} times, then recorded as a FAILED evaluation; a pool with no worker left while
 * candidates wait is submitted again (a pool that ended without claiming anything counts as an attempt
 * of every waiting candidate). Everything is on disk, so a resumed driver adopts the running pool.
 */
final class SlurmPool {

    private static final Logger LOG = LoggerFactory.getLogger(SlurmPool.class);
    /** The longest wait between the driver's looks at the result files. */
    static final long MAX_LOOK_MS = 500;

    private final SlurmExecutor executor;
    private final SlurmOptions options;
    private final Path runDir;
    private final SlurmClient slurm;
    private final BatchDir poolDir;
    private final PoolQueue queue;
    private final List<BatchDir.Job> jobs = new ArrayList<>();
    /** Slurm's last answer for each job asked about (an empty map: the job is forgotten). */
    private final Map<String, Map<Integer, SlurmClient.TaskState>> states = new HashMap<>();
    /** Jobs submitted or found since Slurm was last asked, or that Slurm did not answer for: taken as alive. */
    private final Set<String> unanswered = new HashSet<>();
    /** Claims whose worker Slurm called COMPLETED: when first seen so (NFS may show its result late). */
    private final Map<String, Long> completedClaims = new HashMap<>();
    private boolean started;
    private long lastAsked;
    /** The newest pool job, and whether it claimed or finished anything. */
    private String newest;
    private boolean newestWorked;

    SlurmPool(SlurmExecutor executor, SlurmOptions options, Path runDir, SlurmClient slurm) {
        this.executor = executor;
        this.options = options;
        this.runDir = runDir;
        this.slurm = slurm;
        this.poolDir = BatchDir.pool(runDir);
        this.queue = new PoolQueue(runDir);
    }

    /** One batch through the pool; the evaluations in batch order. */
    List<Evaluation> evaluate(int batchIndex, List<Architecture> batch, ResultListener onResult) {
        start();
        BatchRun run = new BatchRun(new BatchDir(runDir, batchIndex), batch, onResult);
        AdaptivePoll poll = new AdaptivePoll(PoolWorker.MIN_POLL_MS, Math.min(MAX_LOOK_MS, options.pollIntervalMs()));
        while (!run.step()) {
            SlurmClient.sleep(poll.next(run.progressed));
        }
        for (String n : queue.queued()) { // left by a put-back whose first result arrived after all
            if (run.byName.containsKey(n)) {
                queue.remove(queue.queue().resolve(n));
            }
        }
        List<Evaluation> out = new ArrayList<>(batch.size());
        batch.forEach(a -> out.add(run.done.get(a)));
        return out;
    }

    /** The first batch: the pool's folders and script; the jobs an earlier driver submitted, adopted. */
    private void start() {
        if (started) {
            return;
        }
        started = true;
        queue.create();
        queue.clearDone();
        executor.writeScript(poolDir, "the worker pool", "each array task is one long-lived worker that claims "
                + "candidates from queue/", "--pool --idle-timeout " + options.poolIdleS());
        jobs.addAll(poolDir.jobs());
        executor.adoptUnrecordedJobs(poolDir, jobs, executor.jobName("pool"), "the worker pool");
        jobs.forEach(j -> unanswered.add(j.jobId()));
        if (!jobs.isEmpty()) {
            newest = jobs.get(jobs.size() - 1).jobId();
            newestWorked = true; // an earlier driver's pool: what it did is not known, so it is no failure
        }
    }

    /** Tells the workers to exit (a resumed driver clears the marker and submits a pool again if needed). */
    void close() {
        if (started) {
            queue.markDone();
        }
    }

    /** The driver's view of one batch: what is pending and done. */
    private final class BatchRun {
        private final BatchDir dir;
        private final ResultListener onResult;
        private final Set<Architecture> pending;
        private final Map<Architecture, Evaluation> done = new HashMap<>();
        private final Map<String, Architecture> byName = new LinkedHashMap<>();
        private boolean progressed;

        BatchRun(BatchDir dir, List<Architecture> batch, ResultListener onResult) {
            this.dir = dir;
            this.onResult = onResult;
            this.pending = new LinkedHashSet<>(batch);
            dir.create();
            batch.forEach(a -> byName.put(PoolQueue.name(dir.batch(), a), a));
            SlurmExecutor.collect(dir, pending, done, onResult); // results written while no driver ran
            Set<String> present = new HashSet<>(queue.queued());
            queue.claims().forEach(c -> present.add(c.name()));
            for (String n : present) { // a resumed batch: candidates journaled since are not evaluated again
                Architecture a = byName.get(n);
                if (n.startsWith("b" + dir.batch() + "-") && (a == null || !pending.contains(a))) {
                    queue.remove(queue.queue().resolve(n));
                }
            }
            for (Architecture a : pending) {
                if (!present.contains(PoolQueue.name(dir.batch(), a))) {
                    queue.enqueue(dir.batch(), a, 1);
                }
            }
        }

        /** One look: results, claims of ended workers, the pool's health; true when the batch is done. */
        boolean step() {
            int before = pending.size();
            boolean ask = System.currentTimeMillis() - lastAsked >= options.pollIntervalMs();
            List<PoolQueue.Claim> claims = queue.claims();
            if (ask) {
                askSlurm(claims);
            }
            // read results after asking Slurm, so that a worker Slurm calls ended has its files seen
            SlurmExecutor.collect(dir, pending, done, onResult);
            if (pending.size() < before && newest != null) {
                newestWorked = true;
            }
            if (ask) {
                claims.forEach(this::checkClaim);
            }
            boolean submitted = !pending.isEmpty() && ask && ensurePool();
            progressed = pending.size() < before || submitted;
            return pending.isEmpty();
        }

        /** Puts the claim of an ended worker back into the queue, or fails its candidate after max_retries. */
        private void checkClaim(PoolQueue.Claim c) {
            Architecture a = byName.get(c.name());
            if (a == null || !pending.contains(a)) {
                return;
            }
            if (c.job().equals(newest)) {
                newestWorked = true;
            }
            Optional<String> ended = ended(c);
            if (ended.isEmpty() || Files.exists(dir.resultFile(a))) {
                return; // running, or its result is there and is collected at the next look
            }
            PoolQueue.Entry e;
            try {
                e = queue.read(c.file());
            } catch (UncheckedIOException gone) {
                return; // the worker finished it meanwhile
            }
            String what = "job " + c.worker() + " " + ended.get();
            if (e.attempt() <= options.maxRetries()) {
                LOG.info("batch {}: {} while evaluating {}; putting it back (attempt {} of {})", dir.batch(), what,
                        a, e.attempt() + 1, options.maxRetries() + 1);
                queue.requeue(c, e.attempt() + 1);
                return;
            }
            fail(a, "Slurm pool worker failed " + e.attempt() + " time" + (e.attempt() == 1 ? "" : "s")
                    + " on this candidate of batch " + dir.batch() + " (last: " + what + "); see "
                    + poolDir.logs().resolve("worker-" + c.task() + "." + c.job() + ".out"));
            queue.remove(c.file());
        }

        /** Submits the pool when candidates wait and no worker is left; true when it did. */
        private boolean ensurePool() {
            List<String> waiting = queue.queued().stream().filter(byName::containsKey).toList();
            if (waiting.isEmpty() || alive()) {
                return false;
            }
            if (newest != null && !newestWorked) {
                String what = "job " + newest + " " + summary(newest);
                LOG.warn("batch {}: the worker pool ({}) ended without evaluating anything", dir.batch(), what);
                for (String n : waiting) {
                    poolFailed(n, what);
                }
                if (queue.queued().stream().noneMatch(byName::containsKey)) {
                    return false;
                }
            }
            int attempt = (int) jobs.stream().filter(j -> !j.tasks().isEmpty()).count() + 1;
            String id = executor.submit(poolDir, IntStream.range(0, options.pool()).boxed().toList(),
                    executor.jobName("pool"), "worker-%a.%A.out", "pool", attempt);
            jobs.add(new BatchDir.Job(id, IntStream.range(0, options.pool()).boxed().toList()));
            unanswered.add(id);
            newest = id;
            newestWorked = false;
            return true;
        }

        /** A waiting candidate the pool ended without claiming: one attempt more, or FAILED after max_retries. */
        private void poolFailed(String name, String what) {
            Path f = queue.queue().resolve(name);
            PoolQueue.Entry e;
            try {
                e = queue.read(f);
            } catch (UncheckedIOException gone) {
                return;
            }
            if (e.attempt() <= options.maxRetries()) {
                queue.enqueue(e.batch(), e.architecture(), e.attempt() + 1);
                return;
            }
            queue.remove(f);
            fail(e.architecture(), "the Slurm worker pool ended " + e.attempt() + " time" + (e.attempt() == 1 ? ""
                    : "s") + " without evaluating this candidate of batch " + dir.batch() + " (last: " + what
                    + "); see " + poolDir.logs());
        }

        private void fail(Architecture a, String error) {
            LOG.warn(error);
            if (pending.remove(a)) {
                Evaluation e = Evaluation.failed(a, error);
                done.put(a, e);
                onResult.accept(e, 0);
            }
        }
    }

    /** Asks Slurm about every pool job not known to have ended and about the jobs of the claims' workers. */
    private void askSlurm(List<PoolQueue.Claim> claims) {
        Set<String> ask = new LinkedHashSet<>();
        jobs.forEach(j -> ask.add(j.jobId()));
        claims.forEach(c -> ask.add(c.job()));
        for (String id : ask) {
            Map<Integer, SlurmClient.TaskState> known = states.get(id);
            if (known != null && !unanswered.contains(id) && known.values().stream().allMatch(
                    SlurmClient.TaskState::terminal)) {
                continue; // ended for good
            }
            Optional<Map<Integer, SlurmClient.TaskState>> st = slurm.arrayStates(id);
            if (st.isPresent()) {
                states.put(id, st.get());
                unanswered.remove(id);
            } else {
                unanswered.add(id);
            }
        }
        lastAsked = System.currentTimeMillis();
    }

    /** True while a pool worker is pending or running (or Slurm has not answered about it). */
    private boolean alive() {
        for (BatchDir.Job j : jobs) {
            Map<Integer, SlurmClient.TaskState> st = states.get(j.jobId());
            if (unanswered.contains(j.jobId()) || st == null
                    || st.values().stream().anyMatch(t -> !t.terminal())) {
                return true;
            }
        }
        return false;
    }

    /** How the claim's worker ended, or empty while it may still write the claimed result. */
    private Optional<String> ended(PoolQueue.Claim c) {
        Map<Integer, SlurmClient.TaskState> known = states.get(c.job());
        if (known == null || unanswered.contains(c.job())) {
            return Optional.empty();
        }
        SlurmClient.TaskState st = known.get(c.task());
        if (st == null) {
            return Optional.of("is no longer known to Slurm");
        }
        if (!st.terminal()) {
            return Optional.empty();
        }
        if (st.state().equals("COMPLETED")) {
            long since = completedClaims.computeIfAbsent(c.file().getFileName().toString(),
                    x -> System.currentTimeMillis());
            if (System.currentTimeMillis() - since < SlurmExecutor.COMPLETED_GRACE_MS) {
                return Optional.empty();
            }
        }
        return Optional.of("ended " + st);
    }

    /** The states of a job's tasks, e.g. {@code FAILED, exit code 1:0 (tasks 0-1)}. */
    private String summary(String job) {
        Map<Integer, SlurmClient.TaskState> st = states.getOrDefault(job, Map.of());
        if (st.isEmpty()) {
            return "is no longer known to Slurm";
        }
        Map<String, List<Integer>> by = new LinkedHashMap<>();
        st.forEach((k, t) -> by.computeIfAbsent(t.toString(), x -> new ArrayList<>()).add(k));
        List<String> parts = new ArrayList<>();
        by.forEach((t, ks) -> parts.add(t + " (tasks " + ArraySpec.format(ks) + ")"));
        return "ended " + String.join("; ", parts);
    }
}
