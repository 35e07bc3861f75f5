package io.hwnas.experiments.export.ptq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpaces;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.experiments.export.Verification;
import io.hwnas.experiments.export.WeightsFile;
import io.hwnas.experiments.export.graph.Logits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ptq estimator end to end on a briefly trained tiny mobilenet (Fashion-MNIST). */
class PtqEstimatorTest {

    static final String BASE = "r32-w0.5|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3";
    static final Map<String, Object> DATA = Map.of("train_size", 1500, "val_size", 500);

    @TempDir
    static Path dir;
    static Path weights;
    static SearchSpace space;

    @BeforeAll
    static void train() {
        Assumptions.assumeFashionMnist();
        DjlRuntime.setThreads(1);
        space = CompressedSpaces.get("mobilenet", Map.of("resolutions", List.of(32), "widths", List.of(0.5),
                "compression", Map.of("bits", List.of(4, 8, 32), "activation_bits", List.of(8, 32), "prune",
                        List.of(0, 0.5))));
        weights = dir.resolve("base.params");
        SearchSpace plain = ((io.hwnas.core.space.compress.CompressedSpace) space).base();
        Map<String, Object> o = new java.util.HashMap<>(DATA);
        o.putAll(Map.of("steps", 120, "batch", 32, "lr", 0.05, "threads", 1));
        new TrainEstimator().withOptions(o).train(plain, plain.parse(BASE), 1, weights);
    }

    static AccuracyEstimator ptq(Map<String, Object> extra) {
        Map<String, Object> o = new java.util.HashMap<>(DATA);
        o.putAll(Map.of("weights", weights.toString(), "arch", BASE, "calibration_images", 128,
                "validation_images", 500, "batch", 128));
        o.putAll(extra);
        return AccuracyEstimators.get("ptq", o).forSpace(space);
    }

    static String arch(String q, int p) {
        String full = space.parse(BASE).canonical();
        String suffix = full.substring(full.indexOf("#q="));
        return BASE + "#q=" + suffix.substring(3, suffix.indexOf("#p=")).replaceAll("[0-9]+/[0-9]+", q) + "#p="
                + suffix.substring(suffix.indexOf("#p=") + 3).replaceAll("[0-9]+", Integer.toString(p));
    }

    @Test
    void floatPtqEqualsTheFloatNetworkAndQuantisedOnesAreMeasured() throws Exception {
        AccuracyEstimator e = ptq(Map.of());
        Estimate f = e.estimate(space, space.parse(arch("32/32", 0)), 7);
        double djl = djlTop1();
        assertEquals(djl, f.value(), 0.2 + 1e-9, "32/32 in ONNX Runtime vs the float DJL network (500 images)");
        Estimate q8 = e.estimate(space, space.parse(arch("8/8", 0)), 7);
        Estimate q4 = e.estimate(space, space.parse(arch("4/8", 0)), 7);
        Estimate pruned = e.estimate(space, space.parse(arch("8/8", 50)), 7);
        System.out.printf("ptq top-1 (500 validation images): float DJL %.1f, 32/32 %.1f, 8/8 %.1f, 4/8 %.1f,"
                + " 8/8 pruned 50%% %.1f (%s)%n", djl, f.value(), q8.value(), q4.value(), pruned.value(),
                pruned.details());
        assertTrue(djl > 30, "the base network learned: " + djl);
        assertTrue(Math.abs(q8.value() - f.value()) < 5, q8 + " vs " + f);
        assertEquals("base network, pruned by weight inheritance", pruned.details().get("weights_from"));
        assertEquals(q4.value(), e.estimate(space, space.parse(arch("4/8", 0)), 7).value(), "deterministic per seed");
    }

    @Test
    void percentileCalibrationReachesTheExportAndBadValuesAreNamed() {
        String a = arch("8/8", 0);
        Estimate minmax = ptq(Map.of()).estimate(space, space.parse(a), 7);
        Estimate p9999 = ptq(Map.of("calibration", "percentile")).estimate(space, space.parse(a), 7);
        Estimate p51 = ptq(Map.of("calibration", "percentile", "percentile", 51)).estimate(space, space.parse(a), 7);
        System.out.printf("ptq 8/8 top-1: min/max %.1f, percentile 99.99 %.1f, percentile 51 %.1f%n", minmax.value(),
                p9999.value(), p51.value());
        assertEquals("percentile 99.99", p9999.details().get("calibration"));
        assertTrue(Math.abs(p9999.value() - minmax.value()) < 5, p9999 + " vs " + minmax);
        assertTrue(p51.value() < minmax.value() - 10, "clipping at the 49th-51st percentiles must hurt: " + p51.value()
                + " vs min/max " + minmax.value());
        assertEquals(false, ptq(Map.of()).options().containsKey("calibration"), "min/max keeps its recorded options");
        assertEquals(99.99, ptq(Map.of("calibration", "percentile")).options().get("percentile"));
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("calibration", "mse"),
                Map.of("percentile", 99.9), Map.of("calibration", "percentile", "percentile", 40))) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> ptq(bad));
            assertTrue(x.getMessage().contains("ptq") && x.getMessage().matches("(?s).*(calibration|percentile).*"),
                    x.getMessage());
        }
    }

    @Test
    void anotherBaseArchitectureOrAnUnknownOptionIsNamed() {
        AccuracyEstimator e = ptq(Map.of());
        String other = "r32-w0.5|k5e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3";
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> e.estimate(space, space.parse(other), 1));
        assertTrue(x.getMessage().contains(other) && x.getMessage().contains(BASE), x.getMessage());
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> ptq(Map.of("bits", 4)));
        assertTrue(u.getMessage().contains("accuracy estimator ptq") && u.getMessage().contains("bits"),
                u.getMessage());
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> AccuracyEstimators.get("ptq", Map.of("batch", 8)).forSpace(space));
        assertTrue(r.getMessage().contains("weights") && r.getMessage().contains("arch"), r.getMessage());
    }

    /** Top-1 of the float DJL base network on the same validation images. */
    private static double djlTop1() {
        ImageDataset.Split data = new TrainEstimator().withOptions(DATA).data();
        SearchSpace plain = ((io.hwnas.core.space.compress.CompressedSpace) space).base();
        Network net = plain.network(plain.parse(BASE), plain.defaultInput(), 10);
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock b = WeightsFile.load(net, weights, m);
            ImageBatcher batcher = ImageBatcher.fitted(data.train(), net.inputShape());
            int[] idx = java.util.stream.IntStream.range(0, 500).toArray();
            float[] x = batcher.fill(data.validation(), idx, 0, 500);
            var s = net.inputShape();
            float[] y = Verification.djl(b, x, new long[] {500, s.channels(), s.height(), s.width()});
            int correct = 0;
            for (int i = 0; i < 500; i++) {
                correct += Logits.argmax(y, i, 10) == data.validation().label(i) ? 1 : 0;
            }
            return correct / 5.0;
        }
    }

    /** Skips without the Fashion-MNIST files. */
    static final class Assumptions {
        static void assumeFashionMnist() {
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(
                    io.hwnas.core.data.FashionMnist.DEFAULT_DIR.resolve("train-images-idx3-ubyte.gz")),
                    "Fashion-MNIST is not installed");
        }
    }
}
