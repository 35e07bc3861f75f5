package io.hwnas.core.quant;

import io.hwnas.core.djl.OneThread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressedSpaces;
import io.hwnas.core.supernet.SupernetRun;
import io.hwnas.core.supernet.SupernetSpec;
import io.hwnas.core.supernet.SupernetTraining;
import io.hwnas.core.supernet.SupernetTrainingOptions;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The qat estimator started from a supernet checkpoint (three sandwich steps on synthetic images). */
class QatSupernetTest {

    @TempDir
    static Path dir;

    @Test
    void aSubnetIsFineTunedFromTheCheckpointAndOneOutsideItsRangeFails() {
        Map<String, Object> spaceOptions = Map.of("resolutions", List.of(32), "widths", List.of(0.25),
                "search_channels", true);
        MobilenetSpace space = (MobilenetSpace) new MobilenetSpace().withOptions(spaceOptions);
        SupernetSpec spec = SupernetSpec.of(space, 3, 10).withElastic(List.of(3, 5), List.of(3, 4, 6));
        ImageDataset.Split data = SupernetRun.Dataset.split("synthetic", null, 200, 7);
        SupernetRun run = new SupernetRun(spec, SupernetRun.Dataset.of("synthetic", null, data), 7,
                SupernetTrainingOptions.builder().steps(3).batch(16).learningRate(0.01).warmupSteps(1)
                        .checkpointEvery(3).validation(0, 32).threads(1).build());
        OneThread.exclusive(7, () -> SupernetTraining.train(run, data, dir, null));
        int threads = DjlRuntime.threads();
        try {
            fineTune(spaceOptions, spec);
        } finally {
            DjlRuntime.setThreads(threads);
        }
    }

    private static void fineTune(Map<String, Object> spaceOptions, SupernetSpec spec) {
        Map<String, Object> withCompression = new java.util.HashMap<>(spaceOptions);
        withCompression.put("compression", Map.of("bits", List.of(4, 8, 32), "activation_bits", List.of(8, 32),
                "prune", List.of(0, 0.5)));
        CompressedSpace cs = (CompressedSpace) CompressedSpaces.get("mobilenet", withCompression);
        Architecture sub = spec.sample(new SplittableRandom(3));
        int[] v = java.util.Arrays.copyOf(sub.vectorArray(), cs.choices().length);
        for (int i = sub.vectorArray().length; i < v.length; i++) {
            v[i] = i % 3 == 0 ? 1 : 0; // some layers 8 bits and some groups pruned by half, the rest 4/8 and kept
        }
        Architecture a = cs.decode(v);
        Map<String, Object> o = Map.of("checkpoint", dir.toString(), "steps", 2, "batch", 16, "bn_batches", 2,
                "calibration_batches", 1, "val_size", 64, "threads", 1);
        QatEstimator qat = (QatEstimator) AccuracyEstimators.get("qat", o);
        Path ranges = dir.resolve("ranges.json");
        QuantisedTraining.Result r = qat.train(cs, a, 1, null, ranges);
        assertTrue(r.top1() >= 0 && r.top1() <= 100 && Double.isFinite(r.loss()), r.toString());
        assertEquals(2, r.losses().size());
        Network n = cs.network(a, new io.hwnas.core.ir.Shape(3, 32, 32), 10);
        assertEquals(FakeQuantisationTest.macLayers(n), List.copyOf(RangesFile.read(ranges).keySet()));
        int[] seven = v.clone();
        seven[3] = 2; // kernel 7: outside the supernet's kernels 3 and 5
        Architecture outside = cs.decode(seven);
        String msg = assertThrows(IllegalArgumentException.class, () -> qat.estimate(cs, outside, 1)).getMessage();
        assertTrue(msg.contains("7"), msg);
        String arch = assertThrows(IllegalArgumentException.class, () -> AccuracyEstimators.get("qat",
                Map.of("checkpoint", dir.toString(), "arch", sub.canonical()))).getMessage();
        assertTrue(arch.contains("arch") && arch.contains("checkpoint"), arch);
    }
}
