package io.hwnas.core.quant;

import io.hwnas.core.djl.OneThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Compression;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import org.junit.jupiter.api.Test;

/**
 * In inference a convolution followed by batch norm runs as the convention's folded convolution: weights
 * {@code q(W * gamma / sqrt(var + eps))}, bias {@code beta - mean * gamma / sqrt(var + eps)} in float, computed here
 * independently with DJL's convolution (a negative gamma and a zero gamma included). (The per-channel rule is
 * scale-equivariant, so this equals quantising W and then applying batch norm up to float32 rounding; what the test
 * pins is that inference follows the convention's formula, and that it differs from the float network.)
 */
class BatchNormFoldingTest {

    private static final float[] GAMMA = {2, -0.5f, 0, 1};
    private static final float[] BETA = {0.1f, -0.2f, 0.3f, 0};
    private static final float[] MEAN = {0.5f, -1, 0.2f, 0};
    private static final float[] VAR = {0.25f, 4, 1, 9};

    private static NDArray param(Block b, String name) {
        return b.getParameters().get(name).getArray();
    }

    @Test
    void inferenceQuantisesTheFoldedWeights() {
        OneThread.exclusive(11, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBuilder b = new NetworkBuilder(new Shape(3, 6, 6));
                int conv = b.conv("conv", b.input(), 4, 3, 1, 1, 1, false);
                b.batchNorm("bn", conv);
                Network base = b.build();
                int[] w = new int[base.layers().size()];
                int[] a = new int[w.length];
                w[conv] = 4;
                a[conv] = 32;
                Network n = new Compression(w, a, new int[w.length]).apply(base);
                NetworkBlock block = DjlNetworks.initialized(n, m, DataType.FLOAT32, 2);
                Block bn = block.layerBlock(conv + 1);
                param(bn, "gamma").set(GAMMA);
                param(bn, "beta").set(BETA);
                param(bn, "runningMean").set(MEAN);
                param(bn, "runningVar").set(VAR);
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(2, 3, 6, 6));
                NDArray weight = param(block.layerBlock(conv), "weight");
                NDArray s = m.create(GAMMA).div(m.create(VAR).add(1e-5f).sqrt());
                NDArray folded = FakeQuant.weights(weight.mul(s.reshape(4, 1, 1, 1)), 4);
                NDArray bias = m.create(BETA).sub(m.create(MEAN).mul(s));
                float[] want = Conv2d.conv2d(x, folded, bias, new ai.djl.ndarray.types.Shape(1, 1),
                        new ai.djl.ndarray.types.Shape(1, 1)).singletonOrThrow().toFloatArray();
                float[] plain = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                        .toFloatArray();
                FakeQuantisation.install(block, true);
                float[] got = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                        .toFloatArray();
                assertArrayEquals(want, got, 2e-5f);
                double diff = 0;
                for (int i = 0; i < got.length; i++) {
                    diff = Math.max(diff, Math.abs(got[i] - plain[i]));
                }
                org.junit.jupiter.api.Assertions.assertTrue(diff > 1e-3, "4-bit weights change the output: " + diff);
                return null;
            }
        });
    }
}
