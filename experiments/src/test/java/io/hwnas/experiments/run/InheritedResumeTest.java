package io.hwnas.experiments.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NetAdapt with fine-tuned candidates ({@code inherit: true}) resumed after a crash gives the same
 * trajectory: the parents' weights in {@code candidates/} carry over, the lost candidates are
 * fine-tuned again from them.
 */
class InheritedResumeTest {

    static final String CONFIG = """
            name: inherit-resume
            seed: 2
            space:
              name: mobilenet
              options: {resolutions: [32], widths: [0.5], stem_stride: 2}
            dataset: {name: synthetic}
            accuracy:
              name: train
              options: {steps: 2, batch: 8, lr: 0.05, warmup: 0, train_size: 32, val_size: 16, threads: 1, inherit: true}
            devices:
              - name: raspi4
            objectives: [latency_ms]
            strategy:
              name: netadapt
              options:
                start: "r32-w0.5|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6"
                budget_ratio: 0.9
                r0: 0.02
              batch_size: 8
            budget: 40
            executor: {name: local, parallelism: 1}
            """;

    @TempDir
    Path tmp;

    @Test
    void resumeAfterACrashFineTunesFromTheSavedParents() throws Exception {
        Path config = tmp.resolve("c.yaml");
        Files.writeString(config, CONFIG);
        Path full = tmp.resolve("full");
        CliRunner a = CliRunner.run("search", "--config", config.toString(), "--out", full.toString(), "--quiet");
        assertEquals(0, a.exitCode(), a.err());
        List<String> lines = Files.readAllLines(full.resolve("evaluations.jsonl"));
        assertTrue(lines.size() >= 6, "NetAdapt ran at least two iterations: " + lines.size());
        assertTrue(lines.stream().noneMatch(l -> l.contains("FAILED")), String.join("\n", lines));

        // a crash after the start network and two candidates of the first iteration
        Path part = tmp.resolve("part");
        Files.createDirectories(part.resolve("candidates"));
        Files.copy(full.resolve("config.yaml"), part.resolve("config.yaml"));
        Files.copy(full.resolve("manifest.json"), part.resolve("manifest.json"));
        Files.writeString(part.resolve("evaluations.jsonl"), String.join("\n", lines.subList(0, 3)) + "\n");
        try (Stream<Path> files = Files.list(full.resolve("candidates"))) {
            for (Path f : files.toList()) {
                Files.copy(f, part.resolve("candidates").resolve(f.getFileName()));
            }
        }
        CliRunner b = CliRunner.run("search", "--resume", part.toString(), "--quiet");
        assertEquals(0, b.exitCode(), b.err());
        assertEquals(Files.readString(full.resolve("strategy-report.json")),
                Files.readString(part.resolve("strategy-report.json")));
        assertEquals(Files.readString(full.resolve("pareto/raspi4.json")),
                Files.readString(part.resolve("pareto/raspi4.json")));
    }
}
