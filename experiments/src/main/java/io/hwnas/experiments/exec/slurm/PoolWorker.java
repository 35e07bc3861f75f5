package io.hwnas.experiments.exec.slurm;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.evaluate.Lineage;
import io.hwnas.experiments.setup.DeviceBinding;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * One long-lived worker of a Slurm worker pool ({@code hwnas worker --run DIR --pool}): loads the run's
 * resolved {@code config.yaml} once, binds it exactly as the driver does, then claims candidates from the
 * pool's queue ({@link PoolQueue}) one at a time, evaluates each and writes its result file, for as long
 * as the driver needs it. It exits when the driver writes the {@code done} marker, when it found nothing
 * to do for the idle timeout, or when the driver is gone (its {@code driver.lock} absent for
 * {@link #LOCK_GONE_MS}, or not renewed for {@link #LOCK_SILENT_MS}), so an abandoned pool frees the
 * cluster.
 */
public final class PoolWorker {

    /** How long the driver's lock may be absent (a driver being restarted) before the worker exits. */
    static final long LOCK_GONE_MS = 60_000;
    /** A lock not renewed for this long is a killed driver's (drivers renew it every 30 s). */
    static final long LOCK_SILENT_MS = 6 * 60_000;
    /** The longest wait between a worker's looks at the queue. */
    static final long MAX_POLL_MS = 500;
    /** The first wait after work, ms. */
    static final long MIN_POLL_MS = 20;
    /** The run directory's lock file, held by the driver (io.hwnas.experiments.run.RunLock). */
    static final String DRIVER_LOCK = "driver.lock";

    private final Path runDir;
    private final PoolQueue queue;
    private final String worker;
    private final long idleMs;
    private final PrintWriter log;
    private long lockMissingSince = -1;

    PoolWorker(Path runDir, String worker, long idleMs, PrintWriter log) {
        this.runDir = runDir;
        this.queue = new PoolQueue(runDir);
        this.worker = worker;
        this.idleMs = idleMs;
        this.log = log;
    }

    /**
     * Runs one pool worker until it is told to stop, idles out or finds the driver gone.
     *
     * @param runDir the run directory (shared with the driver)
     * @param worker this worker's name in claims: {@code <array job>_<array task>}
     * @param idleMs how long to wait for work before exiting
     * @param binder binds the config's devices, as the driver's search command does
     * @param log    where to say what is evaluated (the worker's Slurm log)
     * @return 0
     * @throws IllegalArgumentException when the run directory or its pool does not exist
     */
    public static int run(Path runDir, String worker, long idleMs, DeviceBinding binder, PrintWriter log) {
        Path config = runDir.resolve("config.yaml");
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException(runDir + " is not a run directory (no config.yaml)");
        }
        PoolWorker w = new PoolWorker(runDir, worker, idleMs, log);
        if (!Files.isDirectory(w.queue.queue())) {
            throw new IllegalArgumentException(runDir + " has no worker pool (" + w.queue.queue() + " is missing)");
        }
        RunSetup setup = RunSetup.load(config, binder);
        Lineage lineage = new Lineage(runDir, setup.space());
        log.println(String.format(Locale.ROOT, "hwnas worker: pool worker %s ready after %.2f s (JVM start, config, "
                + "binding)", worker, java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3));
        log.flush();
        return w.loop(a -> setup.evaluator().evaluate(a, lineage));
    }

    /** Claims and evaluates until told to stop; returns 0. */
    int loop(Function<Architecture, Evaluation> evaluator) {
        AdaptivePoll poll = new AdaptivePoll(MIN_POLL_MS, MAX_POLL_MS);
        long lastWork = System.currentTimeMillis();
        int evaluated = 0;
        while (true) {
            Optional<String> stop = stopReason(lastWork);
            if (stop.isPresent()) {
                log.println("hwnas worker: pool worker " + worker + " exits (" + stop.get() + ") after " + evaluated
                        + " evaluations");
                log.flush();
                return 0;
            }
            Optional<Boolean> did = workOnce(evaluator);
            if (did.isPresent()) {
                evaluated += did.get() ? 1 : 0;
                lastWork = System.currentTimeMillis();
                poll.next(true);
            } else {
                SlurmClient.sleep(poll.next(false));
            }
        }
    }

    /**
     * Claims one candidate and evaluates it unless its result exists already (an earlier attempt wrote it).
     *
     * @return empty when the queue was empty; true when a candidate was evaluated, false when it was done before
     */
    Optional<Boolean> workOnce(Function<Architecture, Evaluation> evaluator) {
        Optional<PoolQueue.Claimed> c = queue.claimNext(worker);
        if (c.isEmpty()) {
            return Optional.empty();
        }
        PoolQueue.Entry e = c.get().entry();
        BatchDir dir = new BatchDir(runDir, e.batch());
        Architecture a = e.architecture();
        boolean evaluate = !Files.exists(dir.resultFile(a));
        if (evaluate) {
            log.println("hwnas worker: evaluating " + a + " (batch " + e.batch() + ", attempt " + e.attempt() + ")");
            log.flush();
            long t0 = System.nanoTime();
            Evaluation ev = evaluator.apply(a);
            double seconds = (System.nanoTime() - t0) / 1e9;
            dir.writeResult(ev, seconds, c.get().claim().task());
            log.println(String.format(Locale.ROOT, "hwnas worker: evaluated %s: %s in %.3f s", a, ev.status(),
                    seconds));
        } else {
            log.println("hwnas worker: " + a + " already done");
        }
        log.flush();
        queue.remove(c.get().claim().file());
        return Optional.of(evaluate);
    }

    /** Why the worker should exit now, or empty to go on. */
    private Optional<String> stopReason(long lastWork) {
        if (queue.done()) {
            return Optional.of("the driver is done");
        }
        long now = System.currentTimeMillis();
        if (now - lastWork >= idleMs) {
            return Optional.of(String.format(Locale.ROOT, "no work for %.1f s", idleMs / 1e3));
        }
        Path lock = runDir.resolve(DRIVER_LOCK);
        try {
            Instant beat = Files.getLastModifiedTime(lock).toInstant();
            lockMissingSince = -1;
            if (Duration.between(beat, Instant.now()).toMillis() > LOCK_SILENT_MS) {
                return Optional.of("the driver's lock " + lock + " was not renewed since " + beat);
            }
        } catch (NoSuchFileException e) {
            if (lockMissingSince < 0) {
                lockMissingSince = now;
            } else if (now - lockMissingSince >= LOCK_GONE_MS) {
                return Optional.of("no driver holds " + lock);
            }
        } catch (java.io.IOException e) {
            // the shared filesystem hiccuped: look again next time
        }
        return Optional.empty();
    }
}
