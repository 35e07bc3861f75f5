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
    void aPoolWorkerNeedsARunWithAPoolAndNoBatchOrTask() {
        CliRunner r = CliRunner.run("worker", "--run", tmp.resolve("none").toString(), "--pool");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("hwnas worker: " + tmp.resolve("none") + " is not a run directory"), r.err());
        r = CliRunner.run("worker", "--run", tmp.toString(), "--pool", "--batch", "0");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("give either --pool or both --batch and --task"), r.err());
        r = CliRunner.run("worker", "--run", tmp.toString(), "--batch", "0");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("give either --pool or both --batch and --task"), r.err());
        r = CliRunner.run("worker", "--run", tmp.toString(), "--pool", "--idle-timeout", "0");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--idle-timeout must be at least 1 second, not 0"), r.err());
    }

    @Test
    void theWorkerAloneSaysTheSame() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = HwnasCli.worker();
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute("--run", tmp.resolve("none").toString(), "--batch", "0", "--task", "1");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("hwnas worker: " + tmp.resolve("none") + " is not a run directory"),
                err.toString());
    }

    @Test
    void theWorkerIsHiddenFromTheHelp() {
        CliRunner r = CliRunner.run("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("spaces"), r.out());
        assertFalse(r.out().contains("worker"), r.out());
    }
}
