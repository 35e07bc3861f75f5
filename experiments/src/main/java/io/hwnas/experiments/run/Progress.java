package io.hwnas.experiments.run;

import io.hwnas.cost.Metric;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.search.Evaluation;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The progress display on stderr: evaluations done of the budget, failures, the best accuracy so
 * far on each device with its latency, and the time left. On a terminal one line is redrawn; in a
 * log a line is written at most every few seconds.
 */
public final class Progress {

    private final PrintStream err;
    private final boolean quiet;
    private final boolean terminal;
    private final int budget;
    private final List<DeviceObjectives> devices;
    private final double[] bestAccuracy;
    private final double[] bestLatency;
    private final long start = System.nanoTime();
    private int done;
    private int replayed;
    private int failed;
    private int infeasible;
    private long lastPrint;

    public Progress(PrintStream err, boolean quiet, int budget, List<DeviceObjectives> devices) {
        this.err = err;
        this.quiet = quiet;
        this.terminal = System.console() != null;
        this.budget = budget;
        this.devices = List.copyOf(devices);
        this.bestAccuracy = new double[devices.size()];
        this.bestLatency = new double[devices.size()];
        java.util.Arrays.fill(bestAccuracy, Double.NaN);
    }

    /** An evaluation answered from the journal on resume. */
    public synchronized void replayed(Evaluation e) {
        replayed++;
        record(e);
    }

    /** An evaluation just finished. */
    public synchronized void evaluated(Evaluation e) {
        record(e);
        print(false);
    }

    private void record(Evaluation e) {
        done++;
        if (e.status() == Evaluation.Status.FAILED) {
            failed++;
        } else if (e.status() == Evaluation.Status.INFEASIBLE) {
            infeasible++;
        }
        for (int i = 0; i < devices.size(); i++) {
            DeviceObjectives d = devices.get(i);
            if (d.admits(e) && !(e.metric("accuracy") <= bestAccuracy[i])) {
                bestAccuracy[i] = e.metric("accuracy");
                bestLatency[i] = e.metric(d.metric(Metric.LATENCY_MS));
            }
        }
    }

    /**
     * A Pareto member's predicted accuracy was just re-measured by {@code estimator}: the {@code done}-th of the
     * {@code due} members of the current fronts not yet measured (a member that displaces another makes more due).
     * One line each, since each takes seconds.
     */
    public synchronized void remeasured(String estimator, int done, int due, Evaluation e, double seconds) {
        if (quiet) {
            return;
        }
        String result = e.status() == Evaluation.Status.FAILED ? "FAILED: " + e.error()
                : String.format(Locale.ROOT, "accuracy %.2f (predicted %.2f)", e.metric("accuracy"),
                        e.metric("accuracy.predicted"));
        err.printf(Locale.ROOT, "re-measuring Pareto members with %s: %d/%d %s in %.1f s  %s%n", estimator, done, due,
                result, seconds, e.architecture().canonical());
        err.flush();
    }

    /** A warning line, printed even when quiet. */
    public synchronized void warn(String line) {
        err.println("warning: " + line);
        err.flush();
    }

    /** Prints the final line. */
    public synchronized void finish() {
        print(true);
        if (!quiet && terminal) {
            err.println();
        }
    }

    private void print(boolean force) {
        if (quiet) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastPrint < (terminal ? 100_000_000L : 5_000_000_000L)) {
            return;
        }
        lastPrint = now;
        int width = 24;
        int filled = (int) Math.round(width * Math.min(1.0, done / (double) budget));
        StringBuilder sb = new StringBuilder();
        sb.append('[').append("=".repeat(filled)).append(" ".repeat(width - filled)).append("] ");
        sb.append(done).append('/').append(budget).append(" evals");
        if (replayed > 0) {
            sb.append(" (").append(replayed).append(" from journal)");
        }
        if (failed > 0) {
            sb.append(", ").append(failed).append(" failed");
        }
        if (infeasible > 0) {
            sb.append(", ").append(infeasible).append(" infeasible");
        }
        for (int i = 0; i < devices.size(); i++) {
            sb.append(" | ").append(devices.get(i).device()).append(' ');
            if (Double.isNaN(bestAccuracy[i])) {
                sb.append('-');
            } else {
                sb.append(String.format(Locale.ROOT, "%.2f @ %.3g ms", bestAccuracy[i], bestLatency[i]));
            }
        }
        int fresh = done - replayed;
        double elapsed = (now - start) / 1e9;
        if (fresh > 0 && done < budget) {
            long left = Math.round(elapsed / fresh * (budget - done));
            sb.append(String.format(Locale.ROOT, " | %d:%02d left", left / 60, left % 60));
        }
        err.print(terminal ? "\r" + sb : sb + System.lineSeparator());
        err.flush();
    }
}
