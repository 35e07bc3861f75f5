package io.hwnas.experiments.exec.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The worker pool's task queue under {@code <runDir>/slurm/pool/}, shared by the driver and the pool's
 * workers: the driver writes one file per candidate into {@code queue/} ({@code b<batch>-<hash>.json}:
 * the batch, the architecture and the attempt); a worker claims one by renaming it to
 * {@code claimed/<name>@<job>_<task>} (a rename succeeds for one worker only), writes the candidate's
 * result into the batch's {@code results/} and then deletes its claim. The driver puts the claims of a
 * worker that died back into {@code queue/}, and writes {@code done} when the search no longer needs
 * the pool. Every file a reader may see is written whole, then renamed into place.
 */
final class PoolQueue {

    /** One queued or claimed candidate. */
    record Entry(String name, int batch, Architecture architecture, int attempt) {
    }

    /** A claimed entry: its file and the worker ({@code <job>_<task>}) that claimed it. */
    record Claim(Path file, String name, String worker) {
        /** The worker's array job id. */
        String job() {
            int u = worker.lastIndexOf('_');
            return u < 0 ? worker : worker.substring(0, u);
        }

        /** The worker's array task id, or -1 when the worker name has none. */
        int task() {
            int u = worker.lastIndexOf('_');
            try {
                return u < 0 ? -1 : Integer.parseInt(worker.substring(u + 1));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private final Path dir;

    PoolQueue(Path runDir) {
        this.dir = BatchDir.pool(runDir).dir();
    }

    Path queue() {
        return dir.resolve("queue");
    }

    Path claimed() {
        return dir.resolve("claimed");
    }

    /** The marker that tells the workers to exit. */
    Path doneMarker() {
        return dir.resolve("done");
    }

    void create() {
        try {
            Files.createDirectories(queue());
            Files.createDirectories(claimed());
            Files.createDirectories(dir.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    static String name(int batch, Architecture a) {
        return "b" + batch + "-" + a.fileKey() + ".json";
    }

    /** Queues a candidate (replacing a queued entry of the same name). */
    void enqueue(int batch, Architecture a, int attempt) {
        BatchDir.writeAtomically(queue().resolve(name(batch, a)), json(batch, a, attempt));
    }

    /** The names of the queued entries, in order. */
    List<String> queued() {
        return list(queue()).stream().map(f -> f.getFileName().toString()).sorted().toList();
    }

    /** The claimed entries. */
    List<Claim> claims() {
        List<Claim> out = new ArrayList<>();
        for (Path f : list(claimed())) {
            String n = f.getFileName().toString();
            int at = n.lastIndexOf('@');
            if (at > 0) {
                out.add(new Claim(f, n.substring(0, at), n.substring(at + 1)));
            }
        }
        return out;
    }

    /** Claims the first queued entry another worker has not taken first, or empty when none is left. */
    Optional<Claimed> claimNext(String worker) {
        for (String n : queued()) {
            Path to = claimed().resolve(n + "@" + worker);
            try {
                move(queue().resolve(n), to);
            } catch (NoSuchFileException e) {
                continue; // another worker was first, or the driver took it back
            } catch (IOException e) {
                throw new UncheckedIOException("cannot claim " + queue().resolve(n), e);
            }
            return Optional.of(new Claimed(new Claim(to, n, worker), read(to)));
        }
        return Optional.empty();
    }

    /** A claim with what it holds. */
    record Claimed(Claim claim, Entry entry) {
    }

    /** Puts a claim back into the queue as attempt {@code attempt}; false when it is gone already. */
    boolean requeue(Claim c, int attempt) {
        Entry e;
        try {
            e = read(c.file());
        } catch (UncheckedIOException gone) {
            return false;
        }
        BatchDir.writeAtomically(c.file(), json(e.batch(), e.architecture(), attempt));
        try {
            move(c.file(), queue().resolve(c.name()));
            return true;
        } catch (NoSuchFileException x) {
            return false;
        } catch (IOException x) {
            throw new UncheckedIOException("cannot put " + c.file() + " back into " + queue(), x);
        }
    }

    /** Removes a queued entry or a claim (absent already is fine). */
    void remove(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }

    Entry read(Path f) {
        try {
            JsonNode n = BatchDir.JSON.readTree(f.toFile());
            String name = f.getFileName().toString();
            int at = name.lastIndexOf('@');
            return new Entry(at > 0 ? name.substring(0, at) : name, n.get("batch").asInt(),
                    BatchDir.JSON.treeToValue(n.get("architecture"), Architecture.class), n.get("attempt").asInt());
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(f + " is gone", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(f + " is not a pool task: " + e.getMessage(), e);
        }
    }

    boolean done() {
        return Files.exists(doneMarker());
    }

    void markDone() {
        BatchDir.writeAtomically(doneMarker(), "the driver no longer needs the pool\n");
    }

    void clearDone() {
        remove(doneMarker());
    }

    private static String json(int batch, Architecture a, int attempt) {
        ObjectNode o = BatchDir.JSON.createObjectNode();
        o.put("batch", batch);
        o.set("architecture", BatchDir.JSON.valueToTree(a));
        o.put("attempt", attempt);
        return o + "\n";
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the run directory's filesystem cannot rename " + from + " atomically", e);
        }
    }

    /** The entries of a folder, without the temporary files of writes in progress. */
    private static List<Path> list(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(f -> !f.getFileName().toString().startsWith(".")).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + d, e);
        }
    }
}
