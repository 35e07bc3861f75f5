package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aWorkerOutsideARunDirectoryIsBadUsage() {
        CliRunner r = CliRunner.run("worker", "--run", tmp.resolve("none").toString(), "--batch", "0", "--task", "1");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("hwnas worker: " + tmp.resolve("none") + " is not a run directory"), r.err());
    }

    @Test
    void theWorkerIsHiddenFromTheHelp() {
        CliRunner r = CliRunner.run("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("spaces"), r.out());
        assertFalse(r.out().contains("worker"), r.out());
    }
}
