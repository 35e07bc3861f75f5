package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.FashionMnist;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.core.train.TrainResult;
import io.hwnas.experiments.cli.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MobileNet of the fashion-mnist example's space trained briefly on Fashion-MNIST by nas-core's
 * training ({@link TrainEstimator}, the example's search-time options), laid out as a run directory
 * with the example's config schema, exported by {@code hwnas export RUN_DIR --int8} as float and int8,
 * and compared with the DJL network on 1,000 Fashion-MNIST test images. Opt-in (system property
 * {@code hwnas.fashionMnistExport}) because training and the 1,000-image checks take minutes of CPU.
 */
class FashionMnistExportTest {

    static final String CONFIG = """
            name: fashion-mnist
            seed: 3
            space:
              name: mobilenet
              options:
                resolutions: [32]
                widths: [0.35, 0.5]
                stem_stride: 2
            dataset:
              name: fashion-mnist
            """;

    @TempDir
    Path dir;

    @Test
    void trainedModelExportsAsFloatAndInt8() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("hwnas.fashionMnistExport"),
                "skipped: the Fashion-MNIST training + float/int8 export test runs with -Dhwnas.fashionMnistExport=true");
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "skipped: Fashion-MNIST is not installed at " + FashionMnist.DEFAULT_DIR);
        SearchSpace space = SearchSpaces.get("mobilenet", Map.of("resolutions", List.of(32), "widths",
                List.of(0.35, 0.5), "stem_stride", 2));
        Architecture a = space.sample(new SplittableRandom(5));
        Path run = dir.resolve("fashion-mnist");
        Path member = Files.createDirectories(run.resolve("models/raspi4/0"));
        Files.writeString(run.resolve("config.yaml"), CONFIG);
        Files.writeString(member.resolve("architecture.json"), new ObjectMapper().writeValueAsString(a));
        TrainEstimator trainer = (TrainEstimator) AccuracyEstimators.get("train", Map.of("steps", 60, "batch", 64,
                "lr", 0.1, "warmup", 5, "train_size", 3840, "val_size", 1000));
        TrainResult trained = trainer.train(space, a, 3, member.resolve(RunDirectoryExport.WEIGHTS));

        CliRunner r = CliRunner.run("export", run.toString(), "--format", "onnx", "--int8", "--calibration-samples",
                "256", "--check-samples", "1000", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode models = new ObjectMapper().readTree(r.out()).path("models");
        assertEquals(2, models.size(), r.out());
        JsonNode fv = models.get(0).path("verify");
        JsonNode j = models.get(1).path("int8");
        System.out.printf("Fashion-MNIST mobilenet %s: trained %d steps in %.0f s (validation top-1 %.1f%%);"
                + " float: max abs diff %.3g (outputs up to %.3g), ORT %.3f ms; int8: %s%n", a.canonical(),
                trained.steps(), trained.wallSeconds(), trained.top1(), fv.path("max_abs_diff").asDouble(),
                fv.path("max_abs_output").asDouble(), fv.path("ort_median_latency_ms").asDouble(), j);
        assertTrue(fv.path("max_abs_diff").asDouble() <= 1e-4, r.out());
        assertEquals(1000, j.path("samples").asInt());
        assertEquals(1.0, j.path("float_onnx_top1_agreement").asDouble(), r.out());
        assertTrue(j.path("top1_agreement").asDouble() >= 0.99, r.out());
        assertTrue(j.path("within_tolerance").asBoolean(), r.out());
        assertTrue(j.path("accuracy_float").asDouble() > 0.6, "the network did not learn: " + r.out());
        assertTrue(j.path("size_ratio").asDouble() < 0.4, r.out());
        String card = Files.readString(member.resolve(RunDirectoryExport.CARD));
        assertTrue(card.contains("## ONNX export") && card.contains("int8"), card);
        OnnxChecker.check(List.of(member.resolve(RunDirectoryExport.MODEL), member.resolve(RunDirectoryExport.MODEL_INT8)));
    }
}
