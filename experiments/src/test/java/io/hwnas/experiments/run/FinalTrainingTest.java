package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.train.TrainResult;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.search.Evaluation;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failure or a kill during final training never loses the search, and a resume trains only what is left. */
class FinalTrainingTest {

    @TempDir
    Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    /** Trains nothing for real: writes a weights file named by the architecture, fails on call {@code failAt}. */
    static final class ScriptedTrainer implements FinalTraining.Trainer {
        final List<String> trained = new ArrayList<>();
        final int failAt;

        ScriptedTrainer(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public TrainResult train(Architecture a, long seed, Path weights) {
            if (trained.size() + 1 == failAt) {
                throw new IllegalStateException("simulated crash in final training of " + a.canonical());
            }
            AtomicFiles.writeString(weights, "weights of " + a.canonical() + " seed " + seed);
            trained.add(a.canonical());
            return new TrainResult(50 + trained.size(), 0.5, List.of(1.0, 0.5), 2, 16, 0.1, 160);
        }
    }

    ExperimentConfig config(boolean finalTraining) throws Exception {
        Path f = tmp.resolve(finalTraining ? "ft.yaml" : "plain.yaml");
        String text = RunnerTest.CONFIG.replace("budget: 60", "budget: 24")
                + (finalTraining ? "final_training: {dataset: synthetic, steps: 2, batch: 8}\n" : "");
        Files.writeString(f, text);
        return ConfigLoader.load(f);
    }

    Runner runner(ExperimentConfig c, Path dir, FinalTraining.Trainer t) {
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        Progress p = new Progress(new PrintStream(System.err, true, StandardCharsets.UTF_8), true, c.budget(),
                DeviceObjectives.of(c));
        return new Runner(setup, dir, p).withFinalTrainer(t);
    }

    static Set<String> members(Path dir) throws Exception {
        Set<String> out = new LinkedHashSet<>();
        for (String dev : List.of("fast", "slow")) {
            for (JsonNode m : JSON.readTree(dir.resolve("pareto/" + dev + ".json").toFile()).path("members")) {
                out.add(m.path("arch").asText());
            }
        }
        return out;
    }

    @Test
    void aFinalTrainingThatThrowsLeavesParetoModelsAndReportComplete() throws Exception {
        Path reference = tmp.resolve("reference");
        Runner.Result ref = runner(config(false), reference, null).run(false);
        Path crashed = tmp.resolve("crashed");
        ScriptedTrainer t = new ScriptedTrainer(2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> runner(config(true), crashed, t).run(false));
        assertTrue(e.getMessage().contains("simulated crash"), e.getMessage());
        assertEquals(1, t.trained.size());
        for (String dev : List.of("fast", "slow")) {
            assertEquals(Files.readString(reference.resolve("pareto/" + dev + ".json")),
                    Files.readString(crashed.resolve("pareto/" + dev + ".json")), dev);
            assertEquals(Files.readString(reference.resolve("pareto/" + dev + ".csv")),
                    Files.readString(crashed.resolve("pareto/" + dev + ".csv")), dev);
            List<Evaluation> front = ref.fronts().get(dev);
            assertFalse(front.isEmpty());
            for (int k = 1; k <= front.size(); k++) {
                Path m = crashed.resolve("models/" + dev + "/" + k);
                assertEquals(Files.readString(reference.resolve("models/" + dev + "/" + k + "/architecture.json")),
                        Files.readString(m.resolve("architecture.json")));
                String card = Files.readString(m.resolve("model-card.md"));
                assertTrue(card.contains("Per-layer breakdown on " + dev), card);
                assertTrue(card.contains("final training: not finished"), card);
            }
        }
        String html = Files.readString(crashed.resolve("report.html"));
        assertTrue(html.endsWith("</body></html>\n") && html.contains("hypervolume"), "report complete");
        try (var s = Files.walk(crashed)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void aResumedFinalTrainingSkipsFinishedMembers() throws Exception {
        ExperimentConfig c = config(true);
        Path dir = tmp.resolve("run");
        ScriptedTrainer first = new ScriptedTrainer(3);
        assertThrows(IllegalStateException.class, () -> runner(c, dir, first).run(false));
        assertEquals(2, first.trained.size());
        Set<String> all = members(dir);
        assertTrue(all.size() >= 4, "enough Pareto members to test with: " + all);

        ScriptedTrainer second = new ScriptedTrainer(-1);
        Runner.Result r = runner(c, dir, second).run(true);
        assertEquals(c.budget(), r.fromJournal());
        for (String done : first.trained) {
            assertFalse(second.trained.contains(done), "trained again: " + done);
        }
        Set<String> union = new LinkedHashSet<>(first.trained);
        union.addAll(second.trained);
        assertEquals(all, union, "every member trained exactly once over both attempts");
        assertEquals(all.size() - 2, second.trained.size());
        for (String dev : List.of("fast", "slow")) {
            for (int k = 1; k <= r.fronts().get(dev).size(); k++) {
                Path m = dir.resolve("models/" + dev + "/" + k);
                String arch = r.fronts().get(dev).get(k - 1).architecture().canonical();
                assertTrue(Files.readString(m.resolve(FinalTraining.WEIGHTS)).startsWith("weights of " + arch + " "));
                String card = Files.readString(m.resolve("model-card.md"));
                assertTrue(card.matches("(?s).*- final training: validation top-1 [56][0-9]\\.00% after 2 steps.*"), card);
                assertFalse(card.contains("not finished"), card);
            }
        }
        // hwnas report rebuilds the cards from the journal with the final training's results on disk
        Path card = dir.resolve("models/fast/1/model-card.md");
        String before = Files.readString(card);
        Runner.rebuild(RunSetup.bind(c, TestPlugins::device), dir);
        assertEquals(before, Files.readString(card));
        // a third resume trains nothing
        ScriptedTrainer third = new ScriptedTrainer(1);
        runner(c, dir, third).run(true);
        assertEquals(List.of(), third.trained);
    }
}
