package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example config runs end to end with a small budget (and shortened training). */
class ExamplesTest {

    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path tmp;

    /** Writes a copy of an example next to the original's folder layout, with text replaced. */
    Path variant(String example, String... replacements) throws Exception {
        String text = Files.readString(EXAMPLES.resolve(example));
        for (int i = 0; i < replacements.length; i += 2) {
            assertTrue(text.contains(replacements[i]), example + " has no '" + replacements[i] + "'");
            text = text.replace(replacements[i], replacements[i + 1]);
        }
        Path f = tmp.resolve(example);
        Files.writeString(f, text);
        return f;
    }

    static void assumeFashionMnist() {
        assumeTrue(Files.isRegularFile(FASHION.resolve("train-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist to run this test");
    }

    JsonNode search(Path config, int budget, String... devices) throws Exception {
        Path out = tmp.resolve("run");
        CliRunner r = CliRunner.run("search", "--config", config.toString(), "--out", out.toString(), "--budget",
                Integer.toString(budget), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(budget, Files.readAllLines(out.resolve("evaluations.jsonl")).size());
        for (String d : devices) {
            assertTrue(Files.isRegularFile(out.resolve("pareto/" + d + ".json")), d);
        }
        assertTrue(Files.isRegularFile(out.resolve("report.html")));
        return Json.MAPPER.readTree(out.resolve("pareto/" + devices[0] + ".json").toFile());
    }

    @Test
    void fashionMnistScreensTrainsAndTrainsTheParetoMembersAgain() throws Exception {
        assumeFashionMnist();
        Path c = variant("fashion-mnist.yaml", "steps: 40", "steps: 4", "train_size: 2560", "train_size: 256",
                "val_size: 1000", "val_size: 200", "final_training: {steps: 600", "final_training: {steps: 6",
                "val_size: 5000", "val_size: 200");
        JsonNode front = search(c, 8, "raspi4", "loihi2");
        assertTrue(front.get("members").size() > 0);
        Path run = tmp.resolve("run");
        List<String> journal = Files.readAllLines(run.resolve("evaluations.jsonl"));
        assertEquals(4, journal.stream().filter(l -> l.contains("screened out: synflow")).count());
        assertTrue(Files.isRegularFile(run.resolve("models/raspi4/1/weights.params")));
        assertTrue(Files.readString(run.resolve("models/raspi4/1/model-card.md")).contains("final training"));
    }

    @Test
    void netadaptShrinksTheStartNetwork() throws Exception {
        assumeFashionMnist();
        Path c = variant("netadapt.yaml", "steps: 30", "steps: 3", "train_size: 2048", "train_size: 192",
                "val_size: 1000", "val_size: 128");
        search(c, 20, "raspi4");
        JsonNode report = Json.MAPPER.readTree(tmp.resolve("run/strategy-report.json").toFile());
        assertTrue(report.toString().contains("latency"), report.toString());
        // inherit: true: every candidate fine-tuned from its parent's saved weights
        List<String> journal = Files.readAllLines(tmp.resolve("run/evaluations.jsonl"));
        assertTrue(journal.stream().noneMatch(l -> l.contains("FAILED")), String.join("\n", journal));
        try (var files = Files.list(tmp.resolve("run/candidates"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            long parents = names.stream().filter(n -> n.endsWith(".parent")).count();
            assertEquals(journal.size() - 1, parents, names.toString());
            assertEquals(journal.size(), names.stream().filter(n -> n.endsWith(".weights")).count(), names.toString());
        }
    }

    @Test
    void mnasnetRlRuns() throws Exception {
        assumeFashionMnist();
        search(variant("mnasnet-rl.yaml"), 20, "pixel3", "edge-tpu");
    }

    @Test
    void quickstartSlurmIsTheQuickstartWithTheSlurmExecutor() throws Exception {
        String a = Files.readString(EXAMPLES.resolve("quickstart.yaml"));
        String b = Files.readString(EXAMPLES.resolve("quickstart-slurm.yaml"));
        for (String section : List.of("space:", "accuracy:", "devices:", "strategy:", "budget: 240", "seed: 1")) {
            assertTrue(a.contains(section) && b.contains(section), section);
        }
        assertTrue(b.contains("name: slurm"));
    }
}
