package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.accuracy.AccuracyEstimators;
import ai.djl.ndarray.NDManager;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.data.FashionMnist;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.core.train.TrainResult;
import io.hwnas.experiments.cli.CliRunner;
import io.hwnas.experiments.export.graph.OrtModel;
import io.hwnas.experiments.export.int8.Int8Options;
import io.hwnas.experiments.export.int8.Int8Quantizer;
import io.hwnas.experiments.export.int8.RangeMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MobileNet of the fashion-mnist example's space trained on Fashion-MNIST as the example trains its
 * Pareto members ({@link TrainEstimator} with the example's {@code final_training}), laid out as a run directory
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

    /** The fashion-mnist example, whose final training trains the model. */
    static final Path EXAMPLE = Path.of("..", "examples", "fashion-mnist.yaml").toAbsolutePath().normalize();
    /** Calibration images (training-file images that training holds out for validation; the checks use the test split). */
    static final int CALIBRATION = 512;
    /** The exported model's accuracy fallback target on the calibration images. */
    static final double TARGET = 0.995;
    /** The most layers and tensors the fallback keeps in float. */
    static final int MAX_FALLBACK = 20;

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
        Map<String, Object> finalTraining = ConfigLoader.load(EXAMPLE).finalTraining();
        TrainEstimator trainer = (TrainEstimator) AccuracyEstimators.get("train", finalTraining);
        TrainResult trained = trainer.train(space, a, 3, member.resolve(RunDirectoryExport.WEIGHTS));

        CliRunner r = CliRunner.run("export", run.toString(), "--format", "onnx", "--int8", "--calibration-samples",
                Integer.toString(CALIBRATION), "--check-samples", "1000", "--int8-target-agreement",
                Double.toString(TARGET), "--int8-max-fallback", Integer.toString(MAX_FALLBACK), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode models = new ObjectMapper().readTree(r.out()).path("models");
        assertEquals(2, models.size(), r.out());
        JsonNode fv = models.get(0).path("verify");
        JsonNode j = models.get(1).path("int8");
        System.out.printf("Fashion-MNIST mobilenet %s: trained %d steps in %.0f s (validation top-1 %.1f%%);"
                + " float: max abs diff %.3g (outputs up to %.3g), ORT %.3f ms; int8: %s%n", a.canonical(),
                trained.steps(), trained.wallSeconds(), trained.top1(), fv.path("max_abs_diff").asDouble(),
                fv.path("max_abs_output").asDouble(), fv.path("ort_median_latency_ms").asDouble(), j);
        // every lever's figures on the same images, printed before the int8 assertions so that a failing run reports them
        Map<String, double[]> variants = variants(space, a, member.resolve(RunDirectoryExport.WEIGHTS));
        assertEquals(j.path("top1_agreement").asDouble(), variants.get("exported (default + fallback)")[0], 1e-9,
                "the exported variant is what hwnas export wrote");
        assertTrue(fv.path("max_abs_diff").asDouble() <= 1e-4, r.out());
        assertEquals(1000, j.path("samples").asInt());
        assertEquals(1.0, j.path("float_onnx_top1_agreement").asDouble(), r.out());
        assertTrue(j.path("top1_agreement").asDouble() >= 0.99, r.out());
        assertTrue(j.path("within_tolerance").asBoolean(), r.out());
        assertTrue(j.path("accuracy_float").asDouble() > 0.75, "the network did not learn: " + r.out());
        assertTrue(j.path("size_ratio").asDouble() < 0.4, r.out());
        String card = Files.readString(member.resolve(RunDirectoryExport.CARD));
        assertTrue(card.contains("## ONNX export") && card.contains("int8"), card);
        OnnxChecker.check(List.of(member.resolve(RunDirectoryExport.MODEL), member.resolve(RunDirectoryExport.MODEL_INT8)));
    }

    /**
     * The quantiser's levers one by one on the same calibration ({@link #CALIBRATION} training images) and check batch (the
     * 1,000 test images): top-1 agreement with the DJL float network and max abs logit difference per variant.
     */
    static Map<String, double[]> variants(SearchSpace space, Architecture a, Path weights) {
        Int8Options d = Int8Options.defaults();
        Int8Options minMax = Int8Options.minMax();
        Map<String, Int8Options> options = new LinkedHashMap<>();
        options.put("exported (default + fallback)", d.toBuilder().targetAgreement(TARGET).maxFallback(MAX_FALLBACK).build());
        options.put("default (every tensor)", d);
        options.put("conv/gemm inputs only", d.toBuilder().allTensors(false).build());
        options.put("minmax", minMax);
        options.put("percentile 99.99", minMax.toBuilder().method(RangeMethod.PERCENTILE).percentile(99.99).build());
        options.put("mse", minMax.toBuilder().method(RangeMethod.MSE).percentile(100).build());
        options.put("default + bias correction", d.toBuilder().biasCorrection(true).build());
        options.put("default + float first conv", d.toBuilder().floatFirstConv(true).build());
        options.put("default + float classifier", d.toBuilder().floatLastGemm(true).build());
        options.put("default + float first conv, classifier, se", d.toBuilder().floatFirstConv(true).floatLastGemm(true)
                .floatSqueezeExcite(true).build());
        Network net = space.network(a, space.defaultInput(), 10);
        Shape in = net.inputShape();
        CalibrationImages.Batch cal = CalibrationImages.FASHION_MNIST.batch(in, CALIBRATION, true, FashionMnist.DEFAULT_DIR, 0);
        CalibrationImages.Batch check = CalibrationImages.FASHION_MNIST.batch(in, 1000, false, FashionMnist.DEFAULT_DIR, 0);
        long[] calShape = {cal.count(), in.channels(), in.height(), in.width()};
        long[] checkShape = {check.count(), in.channels(), in.height(), in.width()};
        Map<String, double[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = WeightsFile.load(net, weights, m);
            ModelProto f = OnnxExporter.folding().export(block, Map.of());
            float[] ref = Verification.djl(block, check.x(), checkShape);
            for (Map.Entry<String, Int8Options> e : options.entrySet()) {
                Int8Quantizer.Quantized qq = Int8Quantizer.quantizeReporting(f, cal.x(), calShape, e.getValue());
                ModelProto q = qq.model();
                float[] y;
                try (OrtModel ort = new OrtModel(q.toByteArray(), 1)) {
                    y = ort.run(check.x(), checkShape);
                }
                int agree = 0;
                int correct = 0;
                for (int i = 0; i < check.count(); i++) {
                    int t = ModelExporter.argmax(y, i, 10);
                    agree += t == ModelExporter.argmax(ref, i, 10) ? 1 : 0;
                    correct += t == check.labels()[i] ? 1 : 0;
                }
                double[] r = {agree / (double) check.count(), Verification.maxAbsDiff(ref, y),
                        correct / (double) check.count()};
                out.put(e.getKey(), r);
                System.out.printf(Locale.ROOT, "int8 variant %-32s top-1 agreement %5.1f%%, max abs diff %.3f,"
                        + " accuracy %.1f%% (%s)%n", e.getKey(), 100 * r[0], r[1], 100 * r[2], qq.options().describe());
            }
        }
        return out;
    }
}
