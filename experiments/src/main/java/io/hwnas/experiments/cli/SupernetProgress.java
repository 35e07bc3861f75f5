package io.hwnas.experiments.cli;

import io.hwnas.core.supernet.SupernetTraining;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress of a supernet training on stderr: a bar, the step, learning rate, the losses of the largest and
 * smallest subnets, their last validation top-1, and the time per step and left. On a terminal one line is
 * redrawn; in a log a line is written at each validation and checkpoint, and at most every 10 seconds otherwise.
 */
final class SupernetProgress implements SupernetTraining.Listener {

    private static final int BAR = 20;

    private final PrintWriter err;
    private final boolean quiet;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private int firstStep = -1;
    private long lastPrint;
    private double top1Largest = Double.NaN;
    private double top1Smallest = Double.NaN;
    private int validatedAt;

    SupernetProgress(PrintWriter err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
        this.terminal = System.console() != null;
    }

    @Override
    public void onStep(SupernetTraining.Progress p) {
        if (firstStep < 0) {
            firstStep = p.step() - 1;
        }
        if (p.validated()) {
            top1Largest = p.top1Largest();
            top1Smallest = p.top1Smallest();
            validatedAt = p.step();
        }
        long now = System.nanoTime();
        boolean last = p.step() == p.steps();
        if (quiet || !(terminal || p.validated() || p.checkpointed() || last || now - lastPrint > 10_000_000_000L)) {
            return;
        }
        lastPrint = now;
        String line = line(p, now);
        if (terminal) {
            err.print("\r" + line + (last ? "\n" : ""));
        } else {
            err.println(line);
        }
        err.flush();
    }

    private String line(SupernetTraining.Progress p, long now) {
        int filled = (int) ((long) BAR * p.step() / p.steps());
        double perStep = (now - start) / 1e9 / Math.max(1, p.step() - firstStep);
        String top1 = Double.isNaN(top1Largest) ? "" : String.format(Locale.ROOT,
                " | val top-1 largest %.1f%% smallest %.1f%% (step %d)", top1Largest, top1Smallest, validatedAt);
        return String.format(Locale.ROOT, "supernet [%s%s] step %d/%d lr %.4f loss largest %.3f smallest %.3f%s | "
                + "%.2f s/step, %s left%s", "#".repeat(filled), "-".repeat(BAR - filled), p.step(), p.steps(),
                p.learningRate(), p.largestLoss(), p.smallestLoss(), top1, perStep,
                minutes(perStep * (p.steps() - p.step())), p.checkpointed() ? " (checkpoint)" : "");
    }

    private static String minutes(double seconds) {
        return seconds < 120 ? String.format(Locale.ROOT, "%.0f s", seconds)
                : String.format(Locale.ROOT, "%.0f min", seconds / 60);
    }
}
