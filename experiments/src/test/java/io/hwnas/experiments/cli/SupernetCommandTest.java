package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hwnas supernet train} and {@code eval} on a tiny supernet (width 0.25, 32 x 32 synthetic images, one
 * PyTorch thread): a training, its checkpoint, subnets scored from it, a kill -9 and resume that ends at the
 * same parameters as a straight run, and the bad inputs that exit 2.
 */
class SupernetCommandTest {

    /** A config of a tiny supernet: 6 steps of batch 16, a checkpoint every 2, validation every 3, augmented. */
    static String config(long seed, int steps) {
        return "name: tiny-supernet\nseed: " + seed + "\n"
                + "space:\n  name: mobilenet\n  options: {resolutions: [32], widths: [0.25], search_channels: true}\n"
                + "dataset: {name: synthetic}\n"
                + "supernet:\n  checkpoint: supernet\n  validation_images: 200\n  steps: " + steps + "\n"
                + "  batch: 16\n  lr: 0.02\n  warmup: 2\n  checkpoint_every: 2\n  validate_every: 3\n"
                + "  validate_images: 32\n  threads: 1\n  flip: true\n  shift: 2\n";
    }

    @TempDir
    Path tmp;

    @Test
    void trainsAndScoresSubnetsFromTheCheckpoint() throws Exception {
        Path cfg = write("tiny.yaml", config(5, 6));
        CliRunner train = CliRunner.run("supernet", "train", "--config", cfg.toString(), "--json", "--quiet");
        assertEquals(0, train.exitCode(), train.err());
        JsonNode t = Json.MAPPER.readTree(train.out());
        Path dir = tmp.resolve("supernet");
        assertEquals(dir.toString(), t.path("checkpoint").asText());
        assertEquals(6, t.path("steps_done").asInt());
        assertEquals(6, t.path("validated_at_step").asInt());
        double top1 = t.path("top1_largest").asDouble();
        assertTrue(top1 >= 0 && top1 <= 100, train.out());
        JsonNode training = Json.MAPPER.readTree(dir.resolve("checkpoint.json").toFile()).path("training");
        assertTrue(training.path("flip").asBoolean() && training.path("shift").asInt() == 2, training.toString());

        CliRunner eval = CliRunner.run("supernet", "eval", "--checkpoint", dir.toString(), "--sample", "2",
                "--seed", "3", "--bn-batches", "2", "--bn-batch-size", "16", "--validation-images", "64", "--json");
        assertEquals(0, eval.exitCode(), eval.err());
        JsonNode subnets = Json.MAPPER.readTree(eval.out()).path("subnets");
        assertEquals(2, subnets.size());
        String arch = subnets.get(0).path("arch").asText();
        CliRunner again = CliRunner.run("supernet", "eval", "--checkpoint", dir.toString(), "--arch", arch,
                "--bn-batches", "2", "--bn-batch-size", "16", "--validation-images", "64");
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains(String.format(java.util.Locale.ROOT, "%.2f",
                subnets.get(0).path("top1").asDouble())), again.out() + " vs " + eval.out());

        // a subnet outside the elastic range (width 0.5 is not the supernet's 0.25) exits 2 naming it
        CliRunner outside = CliRunner.run("supernet", "eval", "--checkpoint", dir.toString(), "--arch",
                arch.replace("w0.25", "w0.5"));
        assertEquals(2, outside.exitCode(), outside.err());
        assertTrue(outside.err().contains("width 0.5"), outside.err());
    }

    @Test
    void refusesToOverwriteACheckpointAndNamesWhatAConfigChangedOnResume() throws Exception {
        Path cfg = write("tiny.yaml", config(5, 6));
        Path dir = tmp.resolve("supernet");
        CliRunner first = CliRunner.run("supernet", "train", "--config", cfg.toString(), "--steps", "2", "--quiet");
        assertEquals(0, first.exitCode(), first.err());
        byte[] manifest = Files.readAllBytes(dir.resolve("checkpoint.json"));

        CliRunner again = CliRunner.run("supernet", "train", "--config", cfg.toString(), "--steps", "2", "--quiet");
        assertEquals(2, again.exitCode(), again.err());
        assertTrue(again.err().startsWith("hwnas supernet train: "), again.err());
        assertTrue(again.err().contains("already holds a supernet checkpoint (step 2 of 2)"), again.err());

        CliRunner zero = CliRunner.run("supernet", "train", "--config", cfg.toString(), "--steps", "0");
        assertEquals(2, zero.exitCode(), zero.err());
        assertTrue(zero.err().contains("--steps must be >= 1, not 0"), zero.err());

        Path other = write("other.yaml", config(6, 2));
        CliRunner mismatch = CliRunner.run("supernet", "train", "--resume", dir.toString(), "--config",
                other.toString(), "--quiet");
        assertEquals(2, mismatch.exitCode(), mismatch.err());
        assertTrue(mismatch.err().contains("the seed is 6 in the config but 5 in the checkpoint"), mismatch.err());
        assertTrue(java.util.Arrays.equals(manifest, Files.readAllBytes(dir.resolve("checkpoint.json"))));

        Path bad = write("bad.yaml", config(5, 6).replace("lr: 0.02", "lr: -1").replace("batch: 16", "batch: 16\n  "
                + "schedule: linear\n  zero_init_residual: 3").replace("shift: 2", "shift: 17"));
        CliRunner invalid = CliRunner.run("supernet", "train", "--config", bad.toString());
        assertEquals(2, invalid.exitCode(), invalid.err());
        assertTrue(invalid.err().contains("supernet.lr") && invalid.err().contains("supernet.schedule")
                && invalid.err().contains("\"linear\"") && invalid.err().contains("cosine or step"), invalid.err());
        assertTrue(invalid.err().contains("supernet.zero_init_residual = 3 is not allowed; expected true or false"),
                invalid.err());
        assertTrue(invalid.err().contains("supernet.shift = 17 is not allowed"), invalid.err());

        Path widths = write("widths.yaml", config(5, 6).replace("batch: 16", "batch: 16\n  group_widths: [0.75, 0.5]"));
        CliRunner noFull = CliRunner.run("supernet", "train", "--config", widths.toString());
        assertEquals(2, noFull.exitCode(), noFull.err());
        assertTrue(noFull.err().contains("supernet.group_widths = [0.75, 0.5] is not allowed; expected a list of "
                + "fractions in (0, 1] with 1.0 among them"), noFull.err());
        Path scalar = write("scalar.yaml", config(5, 6).replace("batch: 16", "batch: 16\n  group_widths: 0.5"));
        CliRunner notList = CliRunner.run("supernet", "train", "--config", scalar.toString());
        assertEquals(2, notList.exitCode(), notList.err());
        assertTrue(notList.err().contains("supernet.group_widths = 0.5 is not allowed; expected a list")
                && !notList.err().contains("= []"), "one problem, not a second about an empty list: " + notList.err());
        Path elastic = write("elastic.yaml", config(5, 6).replace("batch: 16", "batch: 16\n  group_widths: [1, 0.5]"));
        CliRunner changed = CliRunner.run("supernet", "train", "--resume", dir.toString(), "--config",
                elastic.toString(), "--quiet");
        assertEquals(2, changed.exitCode(), changed.err());
        assertTrue(changed.err().contains("group widths [1.0, 0.5] in the config, but [1.0] in the checkpoint"),
                changed.err());
    }

    /** Elastic resolutions outside the space's, or given with a single resolution, exit 2 naming the field. */
    @Test
    void badResolutionsExitTwoNamingTheField() throws Exception {
        Path res = write("res.yaml", config(5, 6).replace("batch: 16", "batch: 16\n  resolutions: [16, 32]"));
        CliRunner notInSpace = CliRunner.run("supernet", "train", "--config", res.toString());
        assertEquals(2, notInSpace.exitCode(), notInSpace.err());
        assertTrue(notInSpace.err().contains("supernet.resolutions = [16, 32] is not allowed: supernet resolutions "
                + "[16, 32] must be a non-empty subset of [32]"), notInSpace.err());
        Path both = write("both.yaml", config(5, 6).replace("batch: 16", "batch: 16\n  resolutions: [32]\n"
                + "  resolution: 32"));
        CliRunner twice = CliRunner.run("supernet", "train", "--config", both.toString());
        assertEquals(2, twice.exitCode(), twice.err());
        assertTrue(twice.err().contains("supernet.resolutions = [32] is not allowed; expected resolutions or "
                + "resolution, not both"), twice.err());
    }

    /**
     * {@code init_from} starts a training (here with another resolution) from a checkpoint's weights, recorded in
     * the manifest; a missing checkpoint or one of another seed exits 2 naming the field and the mismatch.
     */
    @Test
    void trainsFromAnotherCheckpointsWeightsAndRefusesOnesThatDoNotFit() throws Exception {
        Path base = tmp.resolve("base");
        CliRunner first = CliRunner.run("supernet", "train", "--config", write("tiny.yaml", config(5, 2)).toString(),
                "--out", base.toString(), "--quiet");
        assertEquals(0, first.exitCode(), first.err());
        String warm = config(5, 2).replace("resolutions: [32]", "resolutions: [16, 32]")
                .replace("batch: 16", "batch: 16\n  resolutions: [16, 32]\n  init_from: base");
        CliRunner next = CliRunner.run("supernet", "train", "--config", write("warm.yaml", warm).toString(), "--out",
                tmp.resolve("warm").toString());
        assertEquals(0, next.exitCode(), next.err());
        assertTrue(next.err().contains("starting from the weights of " + base + " (step 2)"), next.err());
        JsonNode init = Json.MAPPER.readTree(tmp.resolve("warm").resolve("checkpoint.json").toFile()).path("init_from");
        assertEquals(base.toString(), init.path("dir").asText());
        assertEquals(Json.MAPPER.readTree(base.resolve("checkpoint.json").toFile()).path("files").path("parameters")
                .path("sha256").asText(), init.path("parameters_sha256").asText());
        assertEquals(2, init.path("steps_done").asInt());

        CliRunner missing = CliRunner.run("supernet", "train", "--config", write("missing.yaml",
                warm.replace("init_from: base", "init_from: nowhere")).toString(), "--out",
                tmp.resolve("m").toString());
        assertEquals(2, missing.exitCode(), missing.err());
        assertTrue(missing.err().contains("supernet.init_from = " + tmp.resolve("nowhere") + " is not allowed: ")
                && missing.err().contains("no such file"), missing.err());
        CliRunner seed = CliRunner.run("supernet", "train", "--config", write("seed.yaml",
                warm.replace("seed: 5", "seed: 6")).toString(), "--out", tmp.resolve("s").toString());
        assertEquals(2, seed.exitCode(), seed.err());
        assertTrue(seed.err().contains("supernet.init_from") && seed.err().contains("seed 5 there, but 6 here"),
                seed.err());
        assertTrue(!Files.exists(tmp.resolve("m")) && !Files.exists(tmp.resolve("s")), "nothing written");
    }

    /** A training killed (SIGKILL) after its first checkpoint and resumed ends with a straight run's parameters. */
    @Test
    void aKilledTrainingResumesToTheParametersOfAStraightRun() throws Exception {
        Path cfg = write("tiny.yaml", config(5, 8).replace("checkpoint_every: 2", "checkpoint_every: 1")
                .replace("batch: 16", "batch: 16\n  group_widths: [1.0, 0.75, 0.5]\n  resolutions: [16, 32]")
                .replace("resolutions: [32]", "resolutions: [16, 32]")); // elastic group widths and resolutions
        Path straight = tmp.resolve("straight");
        CliRunner s = CliRunner.run("supernet", "train", "--config", cfg.toString(), "--out", straight.toString(),
                "--json", "--quiet");
        assertEquals(0, s.exitCode(), s.err());
        String want = Json.MAPPER.readTree(s.out()).path("parameters_sha256").asText();
        JsonNode manifest = Json.MAPPER.readTree(straight.resolve("checkpoint.json").toFile()).path("supernet");
        assertEquals("[1.0,0.75,0.5]", manifest.path("group_widths").toString());
        assertEquals("[16,32]", manifest.path("resolutions").toString());

        Path killed = tmp.resolve("killed");
        Process p = SearchCommandTest.start(tmp.resolve("killed.log"), "supernet", "train", "--config",
                cfg.toString(), "--out", killed.toString());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (stepsDone(killed) < 3 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the training ended before it could be killed: " + log("killed.log"));
        p.destroyForcibly().waitFor();
        int at = stepsDone(killed);
        assertTrue(at >= 1 && at < 8, "killed at step " + at);
        // with the config it was started from: the config is checked against the checkpoint, and matches
        CliRunner r = CliRunner.run("supernet", "train", "--resume", killed.toString(), "--config", cfg.toString(),
                "--json", "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(8, Json.MAPPER.readTree(r.out()).path("steps_done").asInt());
        assertEquals(want, Json.MAPPER.readTree(r.out()).path("parameters_sha256").asText(),
                "resumed from step " + at);
    }

    private static int stepsDone(Path dir) {
        try {
            return Json.MAPPER.readTree(dir.resolve("checkpoint.json").toFile()).path("steps_done").asInt();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(tmp.resolve(name), text, StandardCharsets.UTF_8);
    }

    private String log(String name) throws Exception {
        return Files.readString(tmp.resolve(name));
    }
}
