package io.hwnas.core.supernet;

import io.hwnas.core.djl.OneThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandwichTrainingTest {

    private static final int BATCH = 32;
    private static final int CLASSES = 4;
    /** Peak learning rate, reached after a 5-step linear warm-up (the 4 subnets' gradients are summed). */
    private static final double RATE = 0.005;

    /** A 32 x 32, width 0.25 supernet without channel search (fewer distinct layer shapes, a faster test). */
    private static SupernetSpec spec() {
        MobilenetSpace space = (MobilenetSpace) new MobilenetSpace().withOptions(Map.of("resolutions", List.of(32),
                "widths", List.of(0.25)));
        return SupernetSpec.of(space, 3, CLASSES);
    }

    private record Run(List<SandwichTraining.Losses> losses, List<float[]> parameters, float[] stemMean,
            float[] transform) {
    }

    /** Trains from seed {@code seed} for {@code steps} sandwich steps on seeded synthetic images. */
    private static Run train(long seed, int steps) {
        SupernetSpec spec = spec();
        Shape image = new Shape(BATCH, 3, 32, 32);
        ImageDataset data = SyntheticImages.generate("synthetic", 256, new io.hwnas.core.ir.Shape(3, 32, 32), CLASSES,
                seed);
        ImageBatcher batcher = ImageBatcher.fitted(data, new io.hwnas.core.ir.Shape(3, 32, 32));
        return OneThread.exclusive(seed, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                // the contiguous layout: the trajectory the thresholds below were set on. Channels-last (the
                // default) computes the same (MobilenetSupernetTest, float64 to 1e-12), but float32 rounding makes 40
                // steps on random images go elsewhere (seed 7: largest 1.615 -> 1.126, smallest 1.650 -> 1.655)
                MobilenetSupernet supernet = MobilenetSupernet.create(spec, m).channelsLast(false);
                SandwichTraining training = new SandwichTraining(supernet, SandwichTraining.Options.defaults(), seed, m);
                List<SandwichTraining.Losses> losses = new ArrayList<>();
                int perEpoch = data.size() / BATCH;
                int[] order = null;
                for (int t = 0; t < steps; t++) {
                    if (t % perEpoch == 0) {
                        order = ImageDataset.permutation(data.size(), seed * 31 + t / perEpoch);
                    }
                    int from = (t % perEpoch) * BATCH;
                    try (NDManager step = m.newSubManager()) {
                        NDArray x = step.create(batcher.fill(data, order, from, from + BATCH), image);
                        NDArray y = step.create(oneHot(data, order, from), new Shape(BATCH, CLASSES));
                        losses.add(training.step(x, y, RATE * Math.min(1.0, (t + 1) / 5.0)));
                    }
                }
                List<float[]> params = new ArrayList<>();
                supernet.getParameters().forEach(p -> params.add(p.getValue().getArray().toFloatArray()));
                var stem = supernet.weights().network().layer("stem.bn");
                float[] mean = ElasticWeights.params(supernet.weights().layerBlock(stem.id())).get("runningMean")
                        .getArray().toFloatArray();
                float[] transform = supernet.getParameters().get("stage2.layer1.dw.conv.7to5").getArray()
                        .toFloatArray();
                return new Run(losses, params, mean, transform);
            }
        });
    }

    private static float[] oneHot(ImageDataset d, int[] order, int from) {
        float[] y = new float[BATCH * CLASSES];
        for (int j = 0; j < BATCH; j++) {
            y[j * CLASSES + d.label(order[from + j])] = 1f;
        }
        return y;
    }

    private static double mean(List<SandwichTraining.Losses> l, int from, int to, boolean largest) {
        return l.subList(from, to).stream().mapToDouble(x -> largest ? x.largest() : x.smallest()).average()
                .orElseThrow();
    }

    /**
     * Over 60 steps the largest subnet's cross-entropy falls well below chance (ln 4 = 1.39); the smallest (depth 2,
     * kernel 3, expansion 3, no SE, 8 to 40 channels), which learns only from the largest's soft labels, falls less.
     * Means of the first and last 5 steps, on a 2-core AMD EPYC (AVX-512), seeds 7 / 8 / 9: largest 1.54 -> 0.30 /
     * 1.59 -> 0.59 / 1.68 -> 0.62, smallest 1.74 -> 1.28 / 1.63 -> 1.39 / 1.53 -> 1.17. The float32 trajectory
     * depends on the CPU's kernels: at rate 0.01 and 40 steps, where this test stood before, the Intel machine it was
     * set on gave seed 7 largest 1.60 -> 0.67 and smallest 1.72 -> 1.52, the AMD one 1.58 -> 1.25 and 1.64 -> 1.71
     * (the smallest rose for seeds 7 and 9 there), so the rate was halved and the steps raised until every seed
     * passed with a margin.
     */
    @Test
    void largestAndSmallestLossesFallOverSixtySteps() {
        Run run = train(7, 60);
        double firstLargest = mean(run.losses(), 0, 5, true);
        double lastLargest = mean(run.losses(), 55, 60, true);
        double firstSmallest = mean(run.losses(), 0, 5, false);
        double lastSmallest = mean(run.losses(), 55, 60, false);
        System.out.printf("sandwich, 60 steps: largest %.3f -> %.3f, smallest %.3f -> %.3f%n", firstLargest,
                lastLargest, firstSmallest, lastSmallest);
        assertTrue(lastLargest < 0.6 * firstLargest && lastLargest < Math.log(CLASSES),
                firstLargest + " -> " + lastLargest);
        assertTrue(lastSmallest < 0.95 * firstSmallest, firstSmallest + " -> " + lastSmallest);
        assertEquals(4, run.losses().get(0).subnets().size());
        float[] untrained = new float[run.stemMean().length];
        assertFalse(java.util.Arrays.equals(untrained, run.stemMean()), "batch norm running statistics never moved");
        float[] identity = new float[25 * 25];
        for (int i = 0; i < 25; i++) {
            identity[i * 25 + i] = 1f;
        }
        assertFalse(java.util.Arrays.equals(identity, run.transform()), "the 7-to-5 kernel transform was not trained");
    }

    @Test
    void twoRunsFromOneSeedEndWithIdenticalParameters() {
        Run a = train(11, 3);
        Run b = train(11, 3);
        assertEquals(a.parameters().size(), b.parameters().size());
        for (int i = 0; i < a.parameters().size(); i++) {
            assertArrayEquals(a.parameters().get(i), b.parameters().get(i), "parameter " + i);
        }
        assertEquals(a.losses().get(2).subnets(), b.losses().get(2).subnets());
    }
}
