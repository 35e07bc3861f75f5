package io.hwnas.core.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV as users write it: quoted fields, blank lines, and rows of the wrong width named by line. */
class BenchmarkTableTest {

    @TempDir
    Path dir;

    @Test
    void quotedFieldsKeepTheirCommasAndQuotes() throws IOException {
        Path f = dir.resolve("m.csv");
        Files.writeString(f, "arch,latency_ms,note\n\"[1, 2, 3]\",1.5,\"say \"\"hi\"\"\"\n\nk3_e1,2.25,\n");
        BenchmarkTable t = BenchmarkTable.read(f);
        assertEquals(2, t.size());
        assertEquals("[1, 2, 3]", t.text(0, t.column("arch")));
        assertEquals("say \"hi\"", t.text(0, 2));
        assertEquals(2.25, t.number(1, t.column("latency_ms")));
        assertTrue(Double.isNaN(t.number(1, 2)), "an empty cell is NaN");
    }

    @Test
    void aRowOfTheWrongWidthIsNamedByItsLine() throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "arch,latency_ms\na,1\nb,2,3\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchmarkTable.read(f));
        assertEquals(f + ": line 3 has 3 fields, but the header has 2", e.getMessage());
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchmarkTable.read(empty)).getMessage()
                .contains("empty file"));
        Path open = dir.resolve("open.csv");
        Files.writeString(open, "arch,latency_ms\n\"a,1\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchmarkTable.read(open)).getMessage()
                .startsWith(open.toString()));
    }
}
