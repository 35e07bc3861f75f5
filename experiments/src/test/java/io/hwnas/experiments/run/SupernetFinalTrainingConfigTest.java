package io.hwnas.experiments.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.cli.CliRunner;
import io.hwnas.experiments.config.ConfigException;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.setup.RunSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad {@code final_training.from}, or {@code from: supernet} without a supernet checkpoint, exits 2 naming it. */
class SupernetFinalTrainingConfigTest {

    @TempDir
    Path tmp;

    /** The problems of binding the fixture's config with {@code finalTraining}, after {@code edit}. */
    String problems(String finalTraining, java.util.function.UnaryOperator<String> edit) throws Exception {
        Path f = tmp.resolve("sn.yaml");
        Files.writeString(f, edit.apply(SupernetRunFixtures.config(tmp.resolve("ckpt"), finalTraining)));
        ConfigException e = assertThrows(ConfigException.class,
                () -> RunSetup.bind(ConfigLoader.load(f), TestPlugins::device));
        return String.join("\n", e.problems());
    }

    @Test
    void anUnknownSourceIsNamedWithTheAllowedOnes() throws Exception {
        String p = problems("{from: pretrained, steps: 2}", s -> s);
        assertTrue(p.contains("sn.yaml: final_training.from = \"pretrained\" is not allowed; expected one of "
                + "[scratch, supernet]"), p);
    }

    @Test
    void fromSupernetNeedsAnEstimatorThatReadsACheckpoint() throws Exception {
        String p = problems("{from: supernet}", s -> s.replaceFirst("accuracy: .*\n", "accuracy: {name: test-macs}\n"));
        assertTrue(p.contains("sn.yaml: accuracy.name = \"test-macs\" is not allowed; expected one of [supernet, "
                + "predictor] with options.checkpoint, since final_training.from = \"supernet\""), p);
    }

    @Test
    void fromSupernetNeedsAReadableCheckpointAndOnlyItsOptions() throws Exception {
        String p = problems("{from: supernet, epochs: 2, dataset: synthetic}", s -> s);
        assertTrue(p.contains("sn.yaml: accuracy.options.checkpoint: " + tmp.resolve("ckpt").resolve("checkpoint.json")
                + ": no such file"), p);
        assertTrue(p.contains("sn.yaml: final_training.epochs: does not apply with from: supernet"), p);
        assertTrue(p.contains("sn.yaml: final_training.dataset: does not apply with from: supernet"), p);
    }

    @Test
    void membersIsAWholeNumberAndOnlyForFineTuningFromTheSupernet() throws Exception {
        String p = problems("{from: supernet, steps: 2, members: 0}", s -> s);
        assertTrue(p.contains("sn.yaml: final_training.members = 0 is not allowed; expected a whole number >= 1"), p);
        p = problems("{from: supernet, steps: 2, members: best}", s -> s);
        assertTrue(p.contains("sn.yaml: final_training.members = \"best\" is not allowed; expected a whole number"), p);
        p = problems("{steps: 2, members: 1}", s -> s);
        assertTrue(p.contains("sn.yaml: final_training.members: applies only with from: supernet"), p);
    }

    @Test
    void aRelativeCheckpointResolvesAgainstTheConfigAndStaysResolvedInTheRunsCopy() throws Exception {
        Path f = tmp.resolve("rel.yaml");
        Files.writeString(f, SupernetRunFixtures.config(tmp.resolve("ckpt"), "{from: supernet}")
                .replace("checkpoint: '" + tmp.resolve("ckpt") + "'", "checkpoint: ckpt"));
        ExperimentConfig c = ConfigLoader.load(f);
        assertEquals(tmp.resolve("ckpt").toString(), c.accuracy().options().get("checkpoint"));
        Path copy = Files.createDirectories(tmp.resolve("run")).resolve("config.yaml");
        Files.writeString(copy, ConfigWriter.yaml(c));
        assertEquals(tmp.resolve("ckpt").toString(), ConfigLoader.load(copy).accuracy().options().get("checkpoint"));
    }

    @Test
    void theSearchCommandExitsTwoNamingTheField() throws Exception {
        Path f = tmp.resolve("cli.yaml");
        Files.writeString(f, SupernetRunFixtures.config(tmp.resolve("ckpt"), "{from: imagenet}")
                .replace("profile: fast", "profile: raspi4").replace("out/sn", tmp.resolve("out").toString()));
        CliRunner r = CliRunner.run("search", "--config", f.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("cli.yaml: final_training.from = \"imagenet\" is not allowed; expected one of "
                + "[scratch, supernet]"), r.err());
    }
}
