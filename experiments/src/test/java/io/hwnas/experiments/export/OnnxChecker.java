package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the official {@code onnx.checker} (Debian python3-onnx) on model files, in one Python process. */
final class OnnxChecker {

    static final String PYTHON = "/usr/bin/python3";

    private OnnxChecker() {
    }

    /** Skips the calling test with a message when /usr/bin/python3 has no onnx package. */
    static void assumeAvailable() {
        boolean ok;
        try {
            ok = run(List.of(PYTHON, "-c", "import onnx")).exit == 0;
        } catch (IOException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "skipped: " + PYTHON + " with the onnx package (Debian python3-onnx) is not"
                + " installed, so onnx.checker cannot run");
    }

    /** Asserts that every file passes {@code onnx.checker.check_model(model, full_check=True)}. */
    static void check(List<Path> models) throws IOException {
        assumeAvailable();
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c",
                "import sys, onnx\n"
                        + "bad = 0\n"
                        + "for p in sys.argv[1:]:\n"
                        + "    try:\n"
                        + "        onnx.checker.check_model(onnx.load(p), full_check=True)\n"
                        + "    except Exception as e:\n"
                        + "        bad += 1\n"
                        + "        print(p, e)\n"
                        + "print('checked', len(sys.argv) - 1, 'failed', bad)\n"
                        + "sys.exit(1 if bad else 0)\n"));
        for (Path p : models) {
            cmd.add(p.toString());
        }
        Result r = run(cmd);
        assertEquals(0, r.exit, "onnx.checker failed:\n" + r.output);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + "\n(timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while waiting for " + cmd.get(0), e);
        }
    }

    static void write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
    }
}
