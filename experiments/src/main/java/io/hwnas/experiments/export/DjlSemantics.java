package io.hwnas.experiments.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;

/**
 * What the DJL network actually computes where the engine and the IR's intent can differ, probed
 * once through {@link NetworkBlock} itself so that the export follows the network that was trained.
 *
 * <p>The IR's average pooling means NAS-Bench-201's {@code count_include_pad=False}; DJL 0.36's PyTorch
 * engine ignores that flag, and {@code NetworkBlock} corrects the divisor itself (its
 * {@code avgPoolExcludingPadding}). The exporter writes {@code count_include_pad} as the probe finds it,
 * so an older or future block that counts the padding is still exported faithfully.
 */
public final class DjlSemantics {

    private static volatile Boolean avgPoolCountsPadding;

    private DjlSemantics() {
    }

    /** True when the DJL network's padded average pooling divides by the full kernel area. */
    public static boolean avgPoolCountsPadding() {
        Boolean cached = avgPoolCountsPadding;
        if (cached == null) {
            cached = probe();
            avgPoolCountsPadding = cached;
        }
        return cached;
    }

    private static boolean probe() {
        NetworkBuilder b = new NetworkBuilder(new Shape(1, 3, 3));
        b.avgPool("pool", b.input(), 3, 1, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(b.build(), m, DataType.FLOAT32, 1);
            float[] ones = new float[9];
            java.util.Arrays.fill(ones, 1f);
            float corner = Verification.djl(block, ones, new long[] {1, 1, 3, 3})[0];
            // a corner window holds 4 of its 9 positions inside the image
            if (Math.abs(corner - 4f / 9f) < 1e-5) {
                return true;
            }
            if (Math.abs(corner - 1f) < 1e-5) {
                return false;
            }
            throw new IllegalStateException("unexpected padded average pool value " + corner);
        }
    }
}
