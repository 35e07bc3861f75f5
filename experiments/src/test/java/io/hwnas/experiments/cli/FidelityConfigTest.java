package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code accuracy.fidelity}: bad values exit 2 naming file, field, value and what is allowed. */
class FidelityConfigTest {

    static final String BASE = """
            space: {name: mobilenet, options: {resolutions: [32], widths: [0.5]}}
            dataset: {name: synthetic}
            accuracy:
              name: %s
              options: %s
              fidelity: %s
            devices: [{name: raspi4}]
            strategy: {name: random, batch_size: 9}
            budget: 9
            """;

    @TempDir
    Path tmp;

    private CliRunner search(String estimator, String options, String fidelity) throws Exception {
        Path f = tmp.resolve("bad.yaml");
        Files.writeString(f, BASE.formatted(estimator, options, fidelity));
        return CliRunner.run("search", "--config", f.toString(), "--out", tmp.resolve("x").toString());
    }

    @Test
    void badValuesAreReportedTogether() throws Exception {
        Path f = tmp.resolve("bad.yaml");
        CliRunner r = search("train", "{batch: 8}", "{schedule: quartering, min_steps: 0, max_steps: 5, eta: 1, "
                + "rungs: 3}");
        assertEquals(2, r.exitCode(), r.err());
        for (String e : List.of(f + ": accuracy.fidelity.schedule = \"quartering\" is not allowed; expected one of "
                + "[successive-halving, hyperband]", f + ": accuracy.fidelity.min_steps = 0 is not allowed; expected "
                + "an integer in 1..", f + ": accuracy.fidelity.eta = 1 is not allowed; expected an integer in 2..",
                f + ": accuracy.fidelity.rungs is not a known field")) {
            assertTrue(r.err().contains(e), "missing '" + e + "' in:\n" + r.err());
        }
        assertTrue(!Files.exists(tmp.resolve("x")), "nothing is written for a bad config");
    }

    @Test
    void maxStepsAboveMinStepsAndOnlyTheTrainEstimator() throws Exception {
        Path f = tmp.resolve("bad.yaml");
        CliRunner r = search("train", "{steps: 40, inherit: true}", "{schedule: hyperband, min_steps: 9, max_steps: 9}");
        assertEquals(2, r.exitCode(), r.err());
        for (String e : List.of(f + ": accuracy.fidelity.max_steps = 9 is not allowed; expected an integer > "
                + "min_steps (9)", f + ": accuracy.options.steps = 40 is not allowed", f
                + ": accuracy.options.inherit = true is not allowed")) {
            assertTrue(r.err().contains(e), "missing '" + e + "' in:\n" + r.err());
        }
        CliRunner p = search("synflow", "{}", "{schedule: hyperband, min_steps: 1, max_steps: 9}");
        assertEquals(2, p.exitCode(), p.err());
        assertTrue(p.err().contains(f + ": accuracy.name = \"synflow\" is not allowed; expected train"), p.err());
        CliRunner m = search("train", "{}", "{schedule: hyperband}");
        assertEquals(2, m.exitCode(), m.err());
        assertTrue(m.err().contains(f + ": accuracy.fidelity.min_steps is missing"), m.err());
    }

    @Test
    void aGoodSectionLoadsWithDefaultEtaAndWritesBack() throws Exception {
        Path f = tmp.resolve("good.yaml");
        Files.writeString(f, BASE.formatted("train", "{batch: 8}", "{schedule: successive-halving, min_steps: 2, "
                + "max_steps: 18}"));
        ExperimentConfig c = ConfigLoader.load(f);
        assertEquals(new ExperimentConfig.Fidelity("successive-halving", 2, 18, 3), c.fidelity());
        Path back = tmp.resolve("back.yaml");
        Files.writeString(back, io.hwnas.experiments.config.ConfigWriter.yaml(c));
        assertEquals(c.fidelity(), ConfigLoader.load(back).fidelity());
    }
}
