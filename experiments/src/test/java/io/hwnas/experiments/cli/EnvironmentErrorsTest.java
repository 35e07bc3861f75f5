package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One error path: a user error is one line with exit 2, an environment failure (a file in the way, a name too
 * long, a read-only filesystem, a full disk) one line naming the file and the cause with exit 1, and a stack
 * trace only with --debug. The read-only and full-disk cases mount a read-only bind and a 64 KiB tmpfs; where
 * mounting is not allowed (not root) they are skipped. Tests run as root, which chmod cannot stop, so
 * permissions are tested through the read-only mount.
 */
class EnvironmentErrorsTest {

    static final String CONFIG = """
            name: env
            seed: 3
            space: {name: nb201}
            accuracy: {name: table}
            devices:
              - {name: pi, profile: raspi4}
            objectives: [latency_ms]
            strategy: {name: random, batch_size: 4}
            budget: 4
            executor: {name: local, parallelism: 1}
            """;

    @TempDir
    Path tmp;

    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() throws Exception {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            Mounts.run("umount", mounts.get(i).toString());
        }
    }

    Path config() throws Exception {
        return Files.writeString(tmp.resolve("env.yaml"), CONFIG);
    }

    CliRunner search(Path out, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("search", "--config", config().toString(), "--quiet", "--out",
                out.toString()));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    /** Exit code {@code code}, one line on stderr that contains each of {@code says}, and no stack trace. */
    static void oneLine(CliRunner r, int code, String... says) {
        assertEquals(code, r.exitCode(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        for (String s : says) {
            assertTrue(r.err().contains(s), "missing '" + s + "' in: " + r.err());
        }
    }

    @Test
    void aFileInTheWayATooLongNameAndAnExportIntoAFolderAreOneLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        oneLine(search(file.resolve("run")), 1, "cannot prepare the run directory " + file.resolve("run"),
                file.toString());
        Path longName = tmp.resolve("n".repeat(300));
        oneLine(search(longName), 1, "File name too long");
        Path folder = Files.createDirectories(tmp.resolve("onnx"));
        oneLine(CliRunner.run("export", "--space", "nb201", "--arch", "0", "--out", folder.toString()), 2,
                "--out " + folder + " is a folder; give the ONNX file to write");
    }

    @Test
    void aDeepOrNonUtf8ConfigIsOneLineWithExitTwo() throws Exception {
        Path deep = Files.writeString(tmp.resolve("deep.json"), "{\"budget\": " + "[".repeat(1_500)
                + "]".repeat(1_500) + "}");
        oneLine(CliRunner.run("search", "--config", deep.toString()), 2, deep + ": ", "nested deeper than");
        Path latin1 = Files.write(tmp.resolve("latin1.yaml"), (CONFIG + "# caf\u00e9\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        oneLine(CliRunner.run("search", "--config", latin1.toString()), 2, latin1 + ": ", "not UTF-8 text at byte");
    }

    @Test
    void aReadOnlyRunDirectoryOrOutputIsOneLineWithExitOne() throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, search(run).exitCode());
        Path ro = Files.createDirectories(tmp.resolve("ro"));
        mounts.add(Mounts.readOnlyBind(run, ro));
        oneLine(CliRunner.run("report", ro.toString()), 1, ro.toString(), "Read-only file system");
        oneLine(CliRunner.run("search", "--resume", ro.toString(), "--quiet"), 1, ro.toString(),
                "Read-only file system");
        oneLine(search(ro.resolve("sub")), 1, ro.resolve("sub").toString(), "Read-only file system");
    }

    @Test
    void aFullDiskIsOneLineNamingTheFileWithExitOne() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        mounts.add(Mounts.tmpfs(small, "64k"));
        oneLine(search(small.resolve("run")), 1, small.resolve("run").toString(), "No space left on device");
    }

    @Test
    void theStackTraceComesOnlyWithDebug() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        CliRunner r = CliRunner.run("--debug", "search", "--config", config().toString(), "--quiet", "--out",
                file.resolve("run").toString());
        assertEquals(1, r.exitCode(), r.err());
        assertTrue(r.err().contains("\tat io.hwnas.experiments.run.Runner"), r.err());
        CliRunner after = search(file.resolve("run"), "--debug");
        assertEquals(1, after.exitCode(), after.err());
        assertTrue(after.err().contains("\tat "), "--debug after the subcommand: " + after.err());
    }
}
