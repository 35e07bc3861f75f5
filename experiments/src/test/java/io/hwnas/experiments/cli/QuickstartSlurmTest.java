package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.exec.slurm.SlurmTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/quickstart-slurm.yaml} through its Slurm worker pool (scripts/slurm-local.sh up;
 * HWNAS_SLURM=1) gives the Pareto sets of the local executor on the same config and seed. The workers
 * run the real CLI ({@code hwnas worker --pool}) from this build's class path.
 */
class QuickstartSlurmTest {

    @TempDir
    Path tmp;

    @Test
    void quickstartThroughSlurmEqualsLocal() throws Exception {
        SlurmTestSupport.requireCluster();
        Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
        String launcher = String.join(" ", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HwnasCli.class.getName());
        String yaml = Files.readString(examples.resolve("quickstart-slurm.yaml"))
                .replace("    poll_interval_ms: 1000", "    poll_interval_ms: 300\n    launcher: '" + launcher + "'");
        Path config = tmp.resolve("quickstart-slurm.yaml");
        Files.writeString(config, yaml);

        Path slurm = tmp.resolve("slurm");
        long t0 = System.nanoTime();
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", slurm.toString(), "--quiet");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, r.exitCode(), r.err());
        Path local = tmp.resolve("local");
        CliRunner l = CliRunner.run("search", "--config", config.toString(), "--out", local.toString(), "--executor",
                "local", "--quiet");
        assertEquals(0, l.exitCode(), l.err());
        List<String> subs = Files.readAllLines(slurm.resolve("slurm/submissions.log"));
        assertEquals(1, subs.size(), "one job array, the worker pool, for the whole search: " + subs);
        assertTrue(subs.get(0).contains(" batch=pool ") && subs.get(0).contains(" array=0-1 attempt=1 "), subs.get(0));
        for (String d : List.of("raspi4", "jetson-tx2", "edge-tpu", "loihi2")) {
            assertEquals(Files.readString(local.resolve("pareto/" + d + ".json")),
                    Files.readString(slurm.resolve("pareto/" + d + ".json")), d);
        }
        // every candidate evaluated once through the workers, with the metrics the local executor computes
        List<io.hwnas.search.Evaluation> viaSlurm = journal(slurm);
        List<io.hwnas.search.Evaluation> viaLocal = journal(local);
        assertEquals(viaLocal.size(), viaSlurm.size());
        assertEquals(new java.util.HashSet<>(viaLocal), new java.util.HashSet<>(viaSlurm));
        long resultFiles;
        try (var files = Files.walk(slurm.resolve("slurm"))) {
            resultFiles = files.filter(p -> p.getParent().getFileName().toString().equals("results")).count();
        }
        assertEquals(new java.util.HashSet<>(viaSlurm.stream().map(e -> e.architecture()).toList()).size(),
                resultFiles, "one worker result file per distinct candidate");
        System.err.printf("quickstart-slurm: 240 evaluations through a Slurm worker pool in %.1f s%n", seconds);
    }

    static List<io.hwnas.search.Evaluation> journal(Path run) {
        try (io.hwnas.experiments.run.Journal j = io.hwnas.experiments.run.Journal.open(run)) {
            return j.entries().stream().map(io.hwnas.experiments.run.Journal.Entry::evaluation).toList();
        }
    }
}
