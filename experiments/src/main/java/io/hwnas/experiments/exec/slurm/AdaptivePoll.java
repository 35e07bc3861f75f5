package io.hwnas.experiments.exec.slurm;

/**
 * The driver's wait between polls: starts at {@code min}, grows by half after every poll that saw
 * no progress, up to {@code max} ({@code poll_interval_ms}), and drops back to {@code min} when a
 * result arrives or a task is submitted, so short tasks are seen at once and long ones cost few
 * Slurm queries.
 */
final class AdaptivePoll {

    /** The first wait after progress, ms (never above the configured maximum). */
    static final long MIN_MS = 100;

    private final long min;
    private final long max;
    private long next;

    AdaptivePoll(long maxMs) {
        this(MIN_MS, maxMs);
    }

    /** A poll whose first wait after progress is {@code minMs} (capped at {@code maxMs}). */
    AdaptivePoll(long minMs, long maxMs) {
        this.max = maxMs;
        this.min = Math.min(minMs, maxMs);
        this.next = min;
    }

    /** The wait before the next poll, given whether the last poll made progress. */
    long next(boolean progress) {
        if (progress) {
            next = min;
            return next;
        }
        long wait = next;
        next = Math.min(max, next + Math.max(1, next / 2));
        return wait;
    }
}
