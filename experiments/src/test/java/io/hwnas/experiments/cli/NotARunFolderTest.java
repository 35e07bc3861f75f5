package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new run writes only into an empty folder or a run's own; another folder needs --force. */
class NotARunFolderTest {

    static final String CONFIG = """
            name: folder
            seed: 3
            space: {name: nb201}
            accuracy: {name: test-macs}
            devices:
              - {name: pi, profile: raspi4}
            strategy: {name: random, batch_size: 4}
            budget: 4
            executor: {name: local, parallelism: 1}
            """;

    @TempDir
    Path tmp;

    CliRunner search(String config, Path out, String... more) throws Exception {
        Path f = tmp.resolve("exp.yaml");
        Files.writeString(f, config);
        String[] args = new String[4 + more.length];
        System.arraycopy(new String[] {"search", "--config", f.toString(), "--quiet"}, 0, args, 0, 4);
        System.arraycopy(more, 0, args, 4, more.length);
        if (out == null) {
            return CliRunner.run(args);
        }
        String[] withOut = java.util.Arrays.copyOf(args, args.length + 2);
        withOut[args.length] = "--out";
        withOut[args.length + 1] = out.toString();
        return CliRunner.run(withOut);
    }

    @Test
    void aNonEmptyFolderThatIsNotARunIsRefusedUnlessForced() throws Exception {
        Path mine = Files.createDirectories(tmp.resolve("my-folder"));
        Files.writeString(mine.resolve("report.html"), "my own report");
        CliRunner r = search(CONFIG, mine);
        assertEquals(2, r.exitCode(), r.err());
        assertEquals("hwnas search: " + mine + " is a folder that is not a run (no config.yaml, no evaluations.jsonl) "
                + "and is not empty; choose another --out, or give --force to write the run into it\n", r.err());
        assertEquals("my own report", Files.readString(mine.resolve("report.html")));
        assertFalse(Files.exists(mine.resolve("config.yaml")));
        try (var files = Files.list(mine)) {
            assertEquals(1, files.count(), "nothing written");
        }

        CliRunner forced = search(CONFIG, mine, "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertTrue(Files.isRegularFile(mine.resolve("evaluations.jsonl")));

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(0, search(CONFIG, empty).exitCode());
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        CliRunner onFile = search(CONFIG, file);
        assertEquals(2, onFile.exitCode(), onFile.err());
        assertEquals("hwnas search: " + file + " is a file, not a folder; choose another --out\n", onFile.err());
    }

    @Test
    void anEmptyOutputIsTheConfigsFolderAndIsRefused() throws Exception {
        CliRunner r = search(CONFIG + "output: ''\n", null);
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains(" is a folder that is not a run"), r.err());
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "only the config is there");
        }
    }
}
