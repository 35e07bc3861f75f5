package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The quick start's run, made once per test JVM (in-process, about 20 s) for the tests that read it. */
final class QuickstartRun {

    static final Path ROOT = Path.of("target", "quickstart-runs").toAbsolutePath();
    private static Path dir;

    private QuickstartRun() {
    }

    /** The quick start's run directory, searched on first use. */
    static synchronized Path dir() {
        if (dir == null) {
            dir = search("quickstart", 1);
        }
        return dir;
    }

    /** A fresh quick-start run named {@code name} with the given seed (the quick start's is 1). */
    static Path search(String name, long seed) {
        Path out = ROOT.resolve(name);
        delete(out);
        try {
            Files.createDirectories(ROOT);
            Path config = ROOT.resolve(name + ".yaml");
            Files.writeString(config, Files.readString(SearchCommandTest.QUICKSTART).replace("name: quickstart",
                    "name: " + name).replace("seed: 1\n", "seed: " + seed + "\n"));
            CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", out.toString(), "--quiet");
            assertEquals(0, r.exitCode(), r.err());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static void delete(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
