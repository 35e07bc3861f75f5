package io.hwnas.core.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.hwnas.core.djl.Autograd;
import org.junit.jupiter.api.Test;

/** The quantisation convention's arithmetic, checked against values worked out by hand. */
class FakeQuantTest {

    private static float[] weights(float[] w, long rows, int bits) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(w, new Shape(rows, w.length / rows));
            return FakeQuant.weights(a, bits).toFloatArray();
        }
    }

    @Test
    void weightsArePerChannelSymmetricWithHalfEvenRounding() {
        // 4 bits: qmax 7. Row 0: max 7, scale 1, so the ties 2.5, -1.5, 0.5, -0.5 round to even.
        // Row 1: all zeros, scale 1. Row 2: max 14, scale 2: 3 -> 1.5 -> 2 -> 4; 5 -> 2.5 -> 2 -> 4; -14 -> -7.
        float[] w = {7, 2.5f, -1.5f, 0.5f, -0.5f, 3.4f, 0, 0, 0, 0, 0, 0, 14, 3, 5, -14, 1, 0.9f};
        float[] want = {7, 2, -2, 0, -0f, 3, 0, 0, 0, 0, 0, 0, 14, 4, 4, -14, 0, 0};
        assertArrayEquals(want, weights(w, 3, 4));
        // 8 bits: scale 0.2 / 127 in float32, values by the same float arithmetic in Java
        float[] v = {0.2f, -0.1f, 0.0123f, -0.2f};
        float scale = 0.2f / 127f;
        float[] expect = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            expect[i] = (float) Math.max(-127, Math.min(127, Math.rint(v[i] / scale))) * scale;
        }
        assertArrayEquals(expect, weights(v, 1, 8));
        // per channel: the small row keeps its own scale, not the large row's
        float[] two = weights(new float[] {100, 0.3f, 0.01f, 0.004f}, 2, 8);
        assertEquals(0.01f, two[2], 1e-9f);
        assertEquals(0, two[1], 0f, "0.3 is below half a step of the large row (100/127) and rounds to 0");
    }

    @Test
    void twoBitsAreTernaryAndOneBitIsBinary() {
        assertArrayEquals(new float[] {0, -1, 1, 0}, weights(new float[] {0.4f, -1, 0.6f, 0.5f}, 1, 2));
        // alpha = mean |w| = (1 + 3 + 0 + 2) / 4 = 1.5; sign(0) = +1
        assertArrayEquals(new float[] {1.5f, -1.5f, 1.5f, 1.5f, -0.5f, -0.5f, 0.5f, 0.5f},
                weights(new float[] {1, -3, 0, 2, -1, -0.25f, 0.5f, 0.25f}, 2, 1));
    }

    @Test
    void sixteenBitsRoundToFloat16AndThirtyTwoAreUntouched() {
        float tieDown = 1 + 0x1p-11f; // halfway between 1 and 1 + 2^-10: to the even one, 1
        float tieUp = 1 + 3 * 0x1p-11f; // halfway between 1 + 2^-10 and 1 + 2^-9: to 1 + 2^-9
        assertArrayEquals(new float[] {1, 1 + 0x1p-9f, 65504, 0.5f}, weights(new float[] {tieDown, tieUp, 65504,
            0.5f}, 1, 16));
        float[] w = {tieDown, 0.1234567f};
        assertArrayEquals(w, weights(w, 1, 32));
    }

    @Test
    void activationsAreAsymmetricPerTensor() {
        // [-3, 12] at 4 bits: scale 1, zero point 3, levels 0..15, i.e. values -3..12
        ActivationRange r = new ActivationRange(-3, 12);
        assertEquals(new ActivationRange.Grid(1f, 3, 15), r.grid(4));
        float[] x = {2.5f, 3.5f, -3.5f, 12.7f, -100, 0, 0.49f};
        float[] want = {2, 4, -3, 12, -3, 0, 0};
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(want, FakeQuant.activations(m.create(x), r, 4).toFloatArray());
            // [0.5, 2] widens to [0, 2]; 8 bits: scale 2/255, zero point 0
            ActivationRange pos = new ActivationRange(0.5, 2);
            assertEquals(0, pos.lo());
            ActivationRange.Grid g = pos.grid(8);
            assertEquals(new ActivationRange.Grid((float) (2.0 / 255), 0, 255), g);
            float[] y = {-1, 0.3f, 1.0f, 5};
            float[] expect = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                expect[i] = (float) (Math.max(0, Math.min(255, Math.rint(y[i] / g.scale()))) * g.scale());
            }
            assertArrayEquals(expect, FakeQuant.activations(m.create(y), pos, 8).toFloatArray());
            assertArrayEquals(y, FakeQuant.activations(m.create(y), pos, 16).toFloatArray(), "16 bits stay float");
        }
        // zero point: -lo / scale = 1 / (4 / 15) = 3.75 -> 4
        assertEquals(4, new ActivationRange(-1, 3).grid(4).zeroPoint());
    }

    @Test
    void straightThroughGradientsPassInsideTheRangeOnly() {
        float[][] grads = Autograd.exclusive(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                ActivationRange r = new ActivationRange(-1, 1);
                ActivationRange.Grid g = r.grid(8);
                float[][] out = new float[2][];
                for (int k = 0; k < 2; k++) {
                    NDArray x = m.create(new float[] {-5, -0.3f, 0.3f, 0.99f, 5});
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray q = FakeQuant.activations(x, r, 8);
                        NDArray y = k == 0 ? FakeQuant.clippedSte(x, q, g.min(), g.max()) : FakeQuant.ste(x, q);
                        assertArrayEquals(q.toFloatArray(), y.toFloatArray(), 1e-6f, "the forward value is q");
                        gc.backward(y.mul(y.onesLike().mul(3)).sum());
                    }
                    out[k] = x.getGradient().toFloatArray();
                }
                return out;
            }
        });
        assertArrayEquals(new float[] {0, 3, 3, 3, 0}, grads[0], "clipped: zero outside [-1, 1]");
        assertArrayEquals(new float[] {3, 3, 3, 3, 3}, grads[1], "plain: identity everywhere");
    }
}
