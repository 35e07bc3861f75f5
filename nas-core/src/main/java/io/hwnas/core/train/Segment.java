package io.hwnas.core.train;

import java.nio.file.Path;

/**
 * A stretch of one training schedule (a multi-fidelity rung): steps {@code from} (inclusive) to
 * {@code to} (exclusive) of a warm-up + cosine schedule over {@code total} steps.
 *
 * @param from   the first step; 0 starts from a fresh initialisation
 * @param to     the step after the last one trained
 * @param total  the schedule's length (the learning rate at step t is {@code rate(t, total)})
 * @param resume the {@link Checkpoint} written at step {@code from} (null when {@code from} is 0)
 * @param save   where to write the {@link Checkpoint} at step {@code to}, or null
 */
public record Segment(int from, int to, int total, Path resume, Path save) {

    public Segment {
        if (from < 0 || to <= from || total < to) {
            throw new IllegalArgumentException("training segment: need 0 <= from < to <= total, but got from " + from
                    + ", to " + to + ", total " + total);
        }
        if ((from == 0) != (resume == null)) {
            throw new IllegalArgumentException("training segment: a checkpoint to resume from is needed exactly when "
                    + "from > 0 (from " + from + ", resume " + resume + ")");
        }
    }
}
