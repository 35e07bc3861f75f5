package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.djl.InferenceEngine;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.OneThread;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.core.supernet.MobilenetSupernet;
import io.hwnas.core.supernet.SubnetEvaluation;
import io.hwnas.core.supernet.SupernetSpec;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime inference computes what the PyTorch engine's forward pass computes: the logits of recalibrated
 * supernet subnets agree to float32 rounding, and a subnet evaluation gives the same top-1 and loss on both engines.
 */
class OrtInferenceTest {

    private static final Shape IMAGE = new Shape(3, 32, 32);

    @Test
    void onnxRuntimeAndThePytorchEngineAgreeOnSubnets() {
        InferenceEngine ort = InferenceEngine.registry().get("onnxruntime");
        InferenceEngine djl = InferenceEngine.registry().get("djl");
        assertEquals("onnxruntime", InferenceEngine.preferred().name(), "the command line prefers ONNX Runtime");
        MobilenetSpace space = (MobilenetSpace) new MobilenetSpace().withOptions(Map.of("resolutions", List.of(32),
                "widths", List.of(0.25)));
        DataSplits splits = SyntheticImages.splits(96, 64, IMAGE, 10, 3);
        ImageDataset.Split data = new ImageDataset.Split(splits.train(), splits.test());
        OneThread.run(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MobilenetSupernet s = OneThread.exclusive(5, () -> MobilenetSupernet.create(
                        SupernetSpec.of(space, 3, 10), m));
                SplittableRandom r = new SplittableRandom(7);
                List<Architecture> subnets = List.of(s.spec().largest(), s.spec().smallest(), s.spec().sample(r));
                float[] x = ImageBatcher.fitted(data.train(), IMAGE).fill(data.validation(),
                        java.util.stream.IntStream.range(0, 16).toArray(), 0, 16);
                long[] shape = {16, 3, 32, 32};
                for (Architecture a : subnets) {
                    SubnetEvaluation.Builder b = SubnetEvaluation.builder(s, data).bnBatches(3).bnBatchSize(16)
                            .validationImages(64).evalBatch(32);
                    NetworkBlock block = b.build().calibrated(a, m);
                    float[] want;
                    float[] got;
                    try (InferenceEngine.Session d = djl.open(block, 1); InferenceEngine.Session o = ort.open(block, 1)) {
                        want = d.logits(x, shape);
                        got = o.logits(x, shape);
                    }
                    assertEquals(want.length, got.length);
                    double scale = 0;
                    double diff = 0;
                    for (int i = 0; i < want.length; i++) {
                        scale = Math.max(scale, Math.abs(want[i]));
                        diff = Math.max(diff, Math.abs(want[i] - got[i]));
                    }
                    assertTrue(scale > 0 && diff <= 1e-4 * Math.max(1, scale), a + ": logits differ by " + diff
                            + " (largest " + scale + ")");
                    SubnetEvaluation.Result onOrt = b.engine(ort).build().evaluate(a);
                    SubnetEvaluation.Result onDjl = b.engine(djl).build().evaluate(a);
                    assertEquals(onDjl.top1(), onOrt.top1(), 100.0 / 64 + 1e-9, a.toString());
                    assertEquals(onDjl.loss(), onOrt.loss(), 1e-4, a.toString());
                }
            }
            return null;
        });
    }
}
