package io.hwnas.experiments.evaluate;

import io.hwnas.core.accuracy.WarmStart;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The run directory's {@code candidates/} folder: per candidate, the weights a training estimator
 * saved ({@code ID.weights}) and the parent the strategy derived it from ({@code ID.parent}, its
 * architecture string), ID being the candidate's {@link Architecture#fileKey()}. The driver records
 * parents before a batch is dispatched, so a worker on another node finds them in the shared run
 * directory; an estimator with {@code inherit: true} starts each candidate from its parent's weights.
 * With multi-fidelity training the driver also records the rung a candidate is to train next
 * ({@code ID.rung}), and each rung leaves its checkpoint ({@code ID.s<steps>.weights} and
 * {@code .momentum}), which the next rung continues from.
 */
public final class Lineage {

    private final Path dir;
    private final SearchSpace space;

    public Lineage(Path runDir, SearchSpace space) {
        this.dir = runDir.resolve("candidates");
        this.space = space;
    }

    /** Records that {@code child} was derived from {@code parent}. */
    public void record(Architecture child, Architecture parent) {
        try {
            io.hwnas.core.io.AtomicFiles.writeString(dir.resolve(child.fileKey() + ".parent"),
                    parent.canonical() + "\n");
        } catch (java.io.UncheckedIOException e) {
            throw new UncheckedIOException("cannot record the parent of " + child.canonical() + " in " + dir,
                    e.getCause());
        }
    }

    /**
     * Where {@code a}'s weights go, and its recorded parent with the parent's weights file.
     *
     * @throws IllegalArgumentException if the recorded parent does not parse in the run's space
     */
    public WarmStart warmStart(Architecture a) {
        Path parentFile = dir.resolve(a.fileKey() + ".parent");
        if (!Files.exists(parentFile)) {
            return new WarmStart(weights(a), Optional.empty(), Optional.empty());
        }
        try {
            String text = Files.readString(parentFile, StandardCharsets.UTF_8).trim();
            Architecture parent;
            try {
                parent = space.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(parentFile + ": the parent '" + text + "' is not a "
                        + space.name() + " architecture: " + e.getMessage(), e);
            }
            return new WarmStart(weights(a), Optional.of(parent), Optional.of(weights(parent)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + parentFile, e);
        }
    }

    /** Where a candidate's weights are kept. */
    public Path weights(Architecture a) {
        return dir.resolve(a.fileKey() + ".weights");
    }

    /**
     * A multi-fidelity rung: train steps {@code from} to {@code to} of a schedule of {@code total} steps.
     */
    public record Rung(int from, int to, int total) {
        public Rung {
            if (from < 0 || to <= from || total < to) {
                throw new IllegalArgumentException("a rung needs 0 <= from < to <= total, but got " + from + " "
                        + to + " " + total);
            }
        }
    }

    /** Records the rung {@code a} trains next (before its batch is dispatched, so a worker finds it). */
    public void recordRung(Architecture a, Rung r) {
        io.hwnas.core.io.AtomicFiles.writeString(dir.resolve(a.fileKey() + ".rung"),
                r.from() + " " + r.to() + " " + r.total() + "\n");
    }

    /**
     * The rung recorded for {@code a}, if any.
     *
     * @throws IllegalArgumentException if the rung file does not hold three integers
     */
    public Optional<Rung> rung(Architecture a) {
        Path f = dir.resolve(a.fileKey() + ".rung");
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            String[] w = Files.readString(f, StandardCharsets.UTF_8).trim().split(" ");
            return Optional.of(new Rung(Integer.parseInt(w[0]), Integer.parseInt(w[1]), Integer.parseInt(w[2])));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(f + ": not a rung (from to total): " + e.getMessage(), e);
        }
    }

    /** The checkpoint {@code a} reached after {@code steps} steps of multi-fidelity training. */
    public Path checkpoint(Architecture a, int steps) {
        return dir.resolve(a.fileKey() + ".s" + steps + ".weights");
    }
}
