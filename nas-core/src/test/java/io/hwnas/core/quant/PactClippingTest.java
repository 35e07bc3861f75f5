package io.hwnas.core.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.hwnas.core.djl.Autograd;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PACT: the forward value, its straight-through gradients in x and alpha, and the clip level under training. */
class PactClippingTest {

    private static final float[] X = {-1.5f, -0.2f, 0.1f, 0.37f, 0.8f, 1.3f, 2.2f, 3.7f};
    private static final float[] W = {0.5f, -1f, 2f, 1.5f, -0.25f, 3f, -2f, 1.25f};

    /** sum(w * clip(x, 0, alpha)) in double: the loss without rounding, for finite differences. */
    private static double clippedLoss(double alpha) {
        double s = 0;
        for (int i = 0; i < X.length; i++) {
            s += W[i] * Math.min(Math.max(X[i], 0), alpha);
        }
        return s;
    }

    @Test
    void forwardIsTheConventionsGridOnZeroToAlphaAndGradientsArePacts() {
        float alpha = 1.0f;
        float[][] r = Autograd.exclusive(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.create(X);
                NDArray a = m.create(new float[] {alpha});
                NDArray w = m.create(W);
                x.setRequiresGradient(true);
                a.setRequiresGradient(true);
                float[] value;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = PactClipping.clip(x, a, 4);
                    value = y.toFloatArray();
                    gc.backward(y.mul(w).sum());
                }
                float[] expected = FakeQuant.activations(m.create(X), new ActivationRange(0, alpha), 4).toFloatArray();
                return new float[][] {value, expected, x.getGradient().toFloatArray(), a.getGradient().toFloatArray()};
            }
        });
        assertArrayEquals(r[1], r[0], 1e-6f, "the values of the 4-bit grid on [0, alpha]");
        // dy/dx = 1 for 0 <= x < alpha, 0 elsewhere (straight through the rounding)
        assertArrayEquals(new float[] {0, 0, 2f, 1.5f, -0.25f, 0, 0, 0}, r[2], 1e-6f);
        // dy/dalpha = 1 for x >= alpha: 3 - 2 + 1.25
        assertEquals(2.25f, r[3][0], 1e-6f);
        // ... which is the exact derivative of the unrounded clip, by central differences
        double h = 1e-4;
        double fd = (clippedLoss(alpha + h) - clippedLoss(alpha - h)) / (2 * h);
        assertEquals(fd, r[3][0], 1e-6);
        assertEquals(-2 + 1.25, (clippedLoss(2.0 + h) - clippedLoss(2.0 - h)) / (2 * h), 1e-6, "at alpha 2");
    }

    @Test
    void theClipLevelMovesUnderTraining() {
        // Targets clipped at 3: a level that starts at 1 clips too much and must rise; the L2 penalty holds it back.
        double[] levels = Autograd.exclusive(2, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                float[] x = new float[64];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i / 16f; // 0 .. 3.94
                }
                NDArray in = m.create(x);
                NDArray target = in.clip(0, 3);
                double[] out = new double[2];
                for (int run = 0; run < 2; run++) {
                    PactClipping p = new PactClipping(Map.of("l", new ActivationRange(0, 1)), m, run == 0 ? 0 : 0.2,
                            true);
                    for (int t = 0; t < 200; t++) {
                        try (NDManager step = m.newSubManager();
                                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray d = p.quantise("l", in, 8).sub(target);
                            gc.backward(d.mul(d).mean());
                            p.step(0.05, step);
                        }
                    }
                    out[run] = p.levels().get("l");
                }
                return out;
            }
        });
        assertTrue(Math.abs(levels[0] - 3) < 0.1, "the level moves from 1 to the targets' 3: " + levels[0]);
        assertTrue(levels[1] > 2 && levels[1] < levels[0] - 0.3, "with decay 0.2 it stays lower (about 2.3): " + levels[1]);
    }

    @Test
    void inputsThatCanBeNegativeKeepTheirCalibratedRange() {
        Map<String, ActivationRange> ranges = Autograd.exclusive(3, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                PactClipping p = new PactClipping(Map.of("relu", new ActivationRange(0, 2), "linear",
                        new ActivationRange(-1, 1)), m, 0, true);
                assertEquals(Map.of("relu", 2.0), p.levels());
                return p.step(0.1, m);
            }
        });
        assertEquals(new ActivationRange(-1, 1), ranges.get("linear"));
        assertEquals(new ActivationRange(0, 2), ranges.get("relu"), "no gradient yet: the level stays");
    }
}
