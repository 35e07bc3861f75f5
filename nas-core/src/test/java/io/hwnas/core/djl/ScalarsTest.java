package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scalar operands of differentiated paths survive a garbage collection between the forward and
 * the backward pass (DJL's own {@code Number} operands do not: see {@link Scalars}).
 */
class ScalarsTest {

    private static final float[] X = {-4f, -2.5f, -0.5f, 0.5f, 2f, 5f, 7f};

    /** Frees unreachable direct buffers and fills reused native memory with a huge value. */
    private static void clobberFreedBuffers() {
        System.gc();
        for (int i = 0; i < 4000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            b.putFloat(0, 1e20f);
        }
    }

    private static float hardSwishSlope(float x) {
        return x <= -3 ? 0 : x >= 3 ? 1 : (2 * x + 3) / 6;
    }

    @Test
    void gradientsAreExactAfterAGarbageCollectionBetweenForwardAndBackward() {
        for (int round = 0; round < 3; round++) {
            float[] grad = Autograd.exclusive(1, () -> {
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray x = m.create(X);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = Scalars.mul(x, 0).add(Scalars.relu6(x)).add(Scalars.hardSwish(x))
                                .add(Scalars.div(x, -4)).add(Scalars.add(x, 3)).sum();
                        clobberFreedBuffers();
                        gc.backward(y);
                    }
                    return x.getGradient().toFloatArray();
                }
            });
            for (int i = 0; i < X.length; i++) {
                float relu6 = X[i] > 0 && X[i] < 6 ? 1 : 0;
                assertEquals(relu6 + hardSwishSlope(X[i]) - 0.25f + 1f, grad[i], 1e-6, "x = " + X[i]);
            }
        }
    }

    /** ReLU6 while a graph is recorded (relu(x) - relu(x - 6)) gives clip's values and gradients. */
    @Test
    void relu6RecordedMatchesClipInValueAndGradient() {
        float[] xs = {-7f, -1e-3f, 1e-7f, 0.3f, 5.999f, 6f, 6.5f, 11.75f, 12f, 13.1f, 1000.3f, 1e7f};
        Autograd.exclusive(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.create(xs);
                x.setRequiresGradient(true);
                float[] y;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray r = Scalars.relu6(x);
                    y = r.toFloatArray();
                    gc.backward(r.mul(m.arange(1f, xs.length + 1f)).sum());
                }
                float[] g = x.getGradient().toFloatArray();
                for (int i = 0; i < xs.length; i++) {
                    float want = Math.min(Math.max(xs[i], 0), 6);
                    float ulp = xs[i] > 12 ? Math.ulp(xs[i]) : 0;
                    assertEquals(want, y[i], ulp, "relu6(" + xs[i] + ")");
                    assertEquals(xs[i] > 0 && xs[i] <= 6 ? i + 1 : 0, g[i], 0, "slope at " + xs[i]);
                }
                assertEquals(List.of(0f, 6f), List.of(Scalars.relu6(m.create(-1f)).getFloat(),
                        Scalars.relu6(m.create(7f)).getFloat()), "without a graph: clip");
            }
            return null;
        });
    }

    @Test
    void forwardValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X);
            float[] r6 = Scalars.relu6(x).toFloatArray();
            float[] hs = Scalars.hardSwish(x).toFloatArray();
            float[] zero = Scalars.mul(x, 0).toFloatArray();
            for (int i = 0; i < X.length; i++) {
                assertEquals(Math.min(Math.max(X[i], 0), 6), r6[i], 0);
                assertEquals(X[i] * Math.min(Math.max(X[i] + 3, 0), 6) / 6, hs[i], 1e-6);
                assertEquals(0, zero[i], 0);
            }
        }
    }
}
