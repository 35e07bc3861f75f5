package io.hwnas.core.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes files so that a reader, or a run killed half-way, sees either the old file or the whole
 * new one, never a torn one: the bytes go to a temporary file in the target's directory, are forced
 * to disk, and the temporary file is renamed over the target (then the directory is forced too).
 * Every output file of a run (Pareto sets, models, weights, report, manifest, config, ONNX files)
 * is written through this class.
 */
public final class AtomicFiles {

    private static final AtomicLong COUNTER = new AtomicLong();

    /** Writes a file's contents to a stream; the stream must not be closed by the body (closing it is harmless). */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code text} as UTF-8. */
    public static void writeString(Path target, CharSequence text) {
        write(target, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Copies {@code source}'s bytes to {@code target}. */
    public static void copy(Path source, Path target) {
        write(target, out -> Files.copy(source, out));
    }

    /**
     * Writes {@code target} from {@code body}: parent directories are created, and on any failure the
     * target keeps its previous contents (or stays absent) and the temporary file is removed.
     *
     * @throws UncheckedIOException naming the target when it cannot be written
     */
    public static void write(Path target, Body body) {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Path tmp = parent.resolve("." + abs.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            Files.createDirectories(parent);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream buffered = new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(ch)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the channel is closed (after being forced) by the caller
                    }
                }, 1 << 16);
                body.write(buffered);
                buffered.flush();
                ch.force(true);
            }
            move(tmp, abs);
            syncDirectory(parent);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Forces the directory entry of the rename to disk where the platform allows it (not on Windows). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms and filesystems cannot open or force a directory; the rename is still atomic
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: a leftover .tmp file never replaces the target
        }
    }
}
