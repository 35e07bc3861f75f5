package io.hwnas.experiments.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.cli.CliRunner;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-fidelity searches on synthetic data: every rung is journaled, promoted candidates continue
 * from their checkpoints, and a run cut off mid-rung resumes to the same Pareto sets.
 */
public class FidelityRunTest {

    public static String config(String schedule, int budget) {
        return """
                name: mf
                seed: 4
                space:
                  name: mobilenet
                  options: {resolutions: [32], widths: [0.5], stem_stride: 2}
                dataset: {name: synthetic}
                accuracy:
                  name: train
                  options: {batch: 8, lr: 0.05, warmup: 0, train_size: 32, val_size: 16, threads: 1}
                  fidelity: {schedule: %s, min_steps: 1, max_steps: 9, eta: 3}
                devices:
                  - name: raspi4
                objectives: [latency_ms]
                strategy: {name: random, batch_size: 9}
                budget: %d
                executor: {name: local, parallelism: 1}
                """.formatted(schedule, budget);
    }

    @TempDir
    Path tmp;

    private Path search(String schedule, int budget, String name) throws Exception {
        Path config = tmp.resolve(name + ".yaml");
        Files.writeString(config, config(schedule, budget));
        Path out = tmp.resolve(name);
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        return out;
    }

    /** How many journal entries each rung (steps) has. */
    private static Map<Integer, Long> perRung(List<Evaluation> journal) {
        return journal.stream().collect(Collectors.groupingBy(RungSchedule::steps, TreeMap::new,
                Collectors.counting()));
    }

    private static List<Evaluation> journal(Path run) {
        try (Journal j = Journal.open(run)) {
            return j.entries().stream().map(Journal.Entry::evaluation).toList();
        }
    }

    @Test
    void successiveHalvingJournalsEveryRungAndResumesToTheSameFronts() throws Exception {
        Path full = search("successive-halving", 9, "full");
        List<Evaluation> all = journal(full);
        assertEquals(Map.of(1, 9L, 3, 3L, 9, 1L), perRung(all), "9 at 1 step, the best 3 at 3, the best 1 at 9");
        assertTrue(all.stream().allMatch(Evaluation::isOk), all.toString());
        // a promoted candidate continued: its steps detail is the rung's, from the checkpoint of the rung before
        Evaluation top = all.get(all.size() - 1);
        assertEquals(9.0, top.metric("accuracy.steps"));
        String csv = Files.readString(full.resolve("pareto/raspi4.csv"));
        assertTrue(csv.lines().findFirst().orElseThrow().endsWith(",fidelity_steps"), csv);
        assertTrue(csv.lines().skip(1).allMatch(l -> l.matches(".*,(1|3|9)")), "each member's rung steps: " + csv);

        // a kill -9 in the second rung: the journal holds rung 1 and one of rung 3; checkpoints of those exist
        List<String> lines = Files.readAllLines(full.resolve(Journal.FILE));
        Path part = tmp.resolve("part");
        Files.createDirectories(part.resolve("candidates"));
        for (String f : List.of("config.yaml", "manifest.json")) {
            Files.copy(full.resolve(f), part.resolve(f));
        }
        Files.writeString(part.resolve(Journal.FILE), String.join("\n", lines.subList(0, 10)) + "\n");
        for (Evaluation e : journal(part)) {
            String stem = e.architecture().fileKey() + ".s" + RungSchedule.steps(e) + ".weights";
            Files.copy(full.resolve("candidates").resolve(stem), part.resolve("candidates").resolve(stem));
            Files.copy(full.resolve("candidates").resolve(stem + ".momentum"),
                    part.resolve("candidates").resolve(stem + ".momentum"));
        }
        CliRunner b = CliRunner.run("search", "--resume", part.toString(), "--quiet");
        assertEquals(0, b.exitCode(), b.err());
        assertEquals(Files.readString(full.resolve("pareto/raspi4.json")),
                Files.readString(part.resolve("pareto/raspi4.json")));
        assertEquals(Files.readString(full.resolve("pareto/raspi4.csv")), Files.readString(part.resolve(
                "pareto/raspi4.csv")));
        assertEquals(13, Files.readAllLines(part.resolve(Journal.FILE)).size(), "no rung lost or repeated");
        // report rebuilds the same fronts from the journal, rungs and all
        assertEquals(0, CliRunner.run("report", part.toString()).exitCode());
        assertEquals(Files.readString(full.resolve("pareto/raspi4.json")),
                Files.readString(part.resolve("pareto/raspi4.json")));
    }

    @Test
    void hyperbandsSecondBatchStartsAtTheSecondRung() throws Exception {
        List<Evaluation> all = journal(search("hyperband", 18, "hb"));
        // batch 0: 9 at 1, 3 at 3, 1 at 9; batch 1 (bracket 1): 9 at 3 from scratch, 3 at 9
        assertEquals(Map.of(1, 9L, 3, 12L, 9, 4L), perRung(all));
        assertTrue(all.stream().allMatch(e -> !Double.isNaN(e.metric(CandidateEvaluator.FIDELITY_STEPS))));
    }
}
