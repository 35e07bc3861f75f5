package io.hwnas.core.supernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.convolutional.Conv2d;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.OneThread;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Elastic resolution (OFA): one weight set serves subnets at every listed input resolution; the training runs each
 * subnet on the step's images at its own resolution, the evaluation calibrates and validates at it.
 */
class ElasticResolutionTest {

    /** 28 x 28 images, as Fashion-MNIST's: padded to 32, resized to 16 and 24. */
    private static final Shape IMAGE = new Shape(3, 28, 28);
    private static final List<Integer> RESOLUTIONS = List.of(16, 24, 32);

    private static SupernetSpec spec() {
        MobilenetSpace space = (MobilenetSpace) new MobilenetSpace().withOptions(Map.of("resolutions", RESOLUTIONS,
                "widths", List.of(0.25)));
        return SupernetSpec.of(space, 3, 10).withResolutions(List.of(32, 16, 24));
    }

    @Test
    void subnetsRunAtEveryListedResolutionAndNoOther() {
        SupernetSpec spec = spec();
        assertEquals(RESOLUTIONS, spec.resolutions(), "sorted");
        assertEquals(32, spec.resolution());
        assertTrue(spec.elasticResolutions());
        assertEquals(32, spec.space().resolution(spec.largest()));
        assertEquals(16, spec.space().resolution(spec.smallest()));
        Set<Integer> seen = new HashSet<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 60; i++) {
            Architecture a = spec.sample(r);
            int res = spec.space().resolution(a);
            seen.add(res);
            assertEquals(new Shape(3, res, res), spec.network(a).inputShape(), a.toString());
        }
        assertEquals(Set.copyOf(RESOLUTIONS), seen);
        SupernetSpec two = spec.withResolutions(List.of(24, 32));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> two.check(spec.smallest()));
        assertTrue(outside.getMessage().contains("resolution 16") && outside.getMessage().contains(
                "at resolutions [24, 32]"), outside.getMessage());
        assertTrue(two.differences(spec, "here", "there").contains("resolutions [24, 32] here, but [16, 24, 32] there"),
                two.differences(spec, "here", "there").toString());
        IllegalArgumentException notInSpace = assertThrows(IllegalArgumentException.class,
                () -> spec.withResolutions(List.of(20, 32)));
        assertTrue(notInSpace.getMessage().contains("resolutions [20, 32] must be a non-empty subset of [16, 24, 32]"),
                notInSpace.getMessage());
        SupernetSpec one = spec.at(32, 0.25);
        assertFalse(one.elasticResolutions());
        assertEquals(new SubnetEncoding(one).features() + 3, new SubnetEncoding(spec).features(),
                "the predictor's encoding gains a one-hot of the resolution");
        double[] x = new SubnetEncoding(spec).encode(spec.smallest());
        assertEquals(1.0, x[x.length - 3]);
        assertEquals(0.0, x[x.length - 1]);
    }

    /**
     * A subnet at 16 x 16 is calibrated on the calibration images resized to 16 (its stem batch norm holds the mean
     * of the stem convolution over them) and validated on the validation images resized to 16 (the evaluation's
     * top-1 and loss are those of the calibrated block run on them here).
     */
    @Test
    void aSubnetIsCalibratedAndValidatedAtItsOwnResolution() {
        ImageDataset.Split data = SyntheticImages.generate("synthetic", 120, IMAGE, 10, 5).split(40, 5);
        try (NDManager manager = NDManager.newBaseManager()) {
            MobilenetSupernet supernet = OneThread.exclusive(6, () -> {
                MobilenetSupernet s = MobilenetSupernet.create(spec(), manager);
                SupernetFixtures.perturb(s, 7);
                return s;
            });
            SubnetEvaluation e = SubnetEvaluation.builder(supernet, data).bnBatches(2).bnBatchSize(16)
                    .validationImages(40).evalBatch(16).seed(8).build();
            Architecture small = supernet.spec().sample(new SplittableRandom(9));
            small = supernet.spec().space().parse(small.canonical().replaceFirst("^r\\d+", "r16"));
            SubnetEvaluation.Result result = e.evaluate(small);
            ImageBatcher at16 = ImageBatcher.fitted(data.train(), new Shape(3, 16, 16));
            Architecture subnet = small;
            double[] direct = OneThread.run(() -> {
                try (NDManager m = NDManager.newBaseManager()) {
                    NetworkBlock block = e.calibrated(subnet, m);
                    Layer stemNorm = block.network().layer("stem.bn");
                    float[] mean = ElasticWeights.params(block.layerBlock(stemNorm.id())).get("runningMean")
                            .getArray().toFloatArray();
                    int[] cal = e.calibrationIndices();
                    NDArray images = m.create(at16.fill(data.train(), cal, 0, cal.length),
                            new ai.djl.ndarray.types.Shape(cal.length, 3, 16, 16));
                    var w = ElasticWeights.params(block.layerBlock(block.network().layer("stem.conv").id()));
                    Layer stem = block.network().layer("stem.conv");
                    NDArray out = Conv2d.conv2d(images, w.get("weight").getArray(), null,
                            new ai.djl.ndarray.types.Shape(stem.stride(), stem.stride()),
                            new ai.djl.ndarray.types.Shape(stem.padding(), stem.padding())).singletonOrThrow();
                    float[] want = out.transpose(1, 0, 2, 3).reshape(out.getShape().get(1), -1).mean(new int[] {1})
                            .toFloatArray();
                    for (int c = 0; c < want.length; c++) {
                        assertEquals(want[c], mean[c], 1e-4 * (1 + Math.abs(want[c])), "stem mean, channel " + c);
                    }
                    int[] first = new int[40];
                    java.util.Arrays.setAll(first, i -> i);
                    NDArray logits = block.forward(new ai.djl.training.ParameterStore(m, false),
                            new ai.djl.ndarray.NDList(m.create(at16.fill(data.validation(), first, 0, 40),
                                    new ai.djl.ndarray.types.Shape(40, 3, 16, 16))), false).singletonOrThrow();
                    long[] best = logits.argMax(1).toLongArray();
                    int correct = 0;
                    for (int i = 0; i < 40; i++) {
                        correct += best[i] == data.validation().label(i) ? 1 : 0;
                    }
                    return new double[] {100.0 * correct / 40};
                }
            });
            assertEquals(direct[0], result.top1(), 1e-9);
            assertTrue(stemNormDiffersFrom32(e, supernet, small), "the resolution made no difference");
        }
    }

    private static boolean stemNormDiffersFrom32(SubnetEvaluation e, MobilenetSupernet s, Architecture at16) {
        Architecture at32 = s.spec().space().parse(at16.canonical().replaceFirst("^r16", "r32"));
        return OneThread.run(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                float[] a = stemMean(e.calibrated(at16, m));
                float[] b = stemMean(e.calibrated(at32, m));
                return !java.util.Arrays.equals(a, b);
            }
        });
    }

    private static float[] stemMean(NetworkBlock block) {
        return ElasticWeights.params(block.layerBlock(block.network().layer("stem.bn").id())).get("runningMean")
                .getArray().toFloatArray();
    }

    @TempDir
    Path straight;

    @TempDir
    Path resumed;

    /**
     * Training with elastic resolutions runs subnets at each resolution, writes the resolutions into the checkpoint
     * and resumes to the same bytes as a straight run.
     */
    @Test
    void trainingDrawsResolutionsAndResumesExactly() {
        ImageDataset.Split data = SyntheticImages.generate("synthetic", 100, IMAGE, 10, 11).split(20, 11);
        SupernetRun run = new SupernetRun(spec(), SupernetRun.Dataset.of("synthetic", null, data), 12,
                SupernetTrainingOptions.builder().steps(4).batch(16).learningRate(0.01).warmupSteps(1)
                        .checkpointEvery(2).validation(4, 20).threads(1).build());
        List<SupernetTraining.Progress> progress = new java.util.ArrayList<>();
        SupernetCheckpoint whole = SupernetTraining.train(run, data, straight, progress::add);
        SupernetTraining.train(run, data, resumed, null, 2);
        SupernetCheckpoint again = SupernetTraining.resume(resumed, data, null);
        assertEquals(whole.parameters().sha256(), again.parameters().sha256());
        assertEquals(RESOLUTIONS, SupernetCheckpoint.read(straight).spec().resolutions());
        assertTrue(progress.get(3).validated() && Double.isFinite(progress.get(3).top1Smallest()));
    }
}
