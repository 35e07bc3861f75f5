package io.hwnas.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("a"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesCreatesParentsAndReplaces() throws Exception {
        Path f = dir.resolve("a/b.txt");
        AtomicFiles.writeString(f, "first");
        AtomicFiles.writeString(f, "second, longer");
        assertEquals("second, longer", Files.readString(f));
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        AtomicFiles.write(dir.resolve("a/big.bin"), big);
        AtomicFiles.copy(dir.resolve("a/big.bin"), dir.resolve("a/copy.bin"));
        assertArrayEquals(big, Files.readAllBytes(dir.resolve("a/copy.bin")));
        assertEquals(List.of("b.txt", "big.bin", "copy.bin"), names());
    }

    @Test
    void aBodyThatFailsHalfWayKeepsTheOldFileAndLeavesNoTemporaryFile() throws Exception {
        Path f = dir.resolve("a/model.bin");
        AtomicFiles.writeString(f, "complete old contents");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]); // more than the buffer: part of it reaches the temporary file
            throw new IllegalStateException("killed half-way");
        }));
        assertEquals("killed half-way", e.getMessage());
        assertEquals("complete old contents", Files.readString(f));
        assertEquals(List.of("model.bin"), names());
        UncheckedIOException io = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, out -> {
            throw new IOException("disk full");
        }));
        assertTrue(io.getMessage().contains(f.toString()) && io.getMessage().contains("disk full"), io.getMessage());
        assertEquals("complete old contents", Files.readString(f));
        assertFalse(names().stream().anyMatch(n -> n.endsWith(".tmp")));
    }
}
