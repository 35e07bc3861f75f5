package io.hwnas.cost;

import io.hwnas.cost.device.DeviceProfile;
import java.util.Objects;

/**
 * What a device's runtime rewrites in a network's graph before it runs it, read from the profile's settings.
 *
 * @param fuse  {@code fuse}: convolutions and linear layers run with the batch norms and activations after them
 * @param zeros {@code fold_zero}: how zero layers run ({@link ZeroLayers})
 * @param cse   {@code cse}: common subexpression elimination, a weightless layer (pooling, activation) that
 *              repeats an earlier one on the same inputs, seen through identities and one-operand sums, runs
 *              once (ONNX Runtime)
 */
public record GraphRewrites(boolean fuse, ZeroLayers zeros, boolean cse) {

    /** No rewrite: every layer runs as the IR says (an eager runtime). */
    public static final GraphRewrites NONE = new GraphRewrites(false, ZeroLayers.COMPUTED, false);

    public GraphRewrites {
        Objects.requireNonNull(zeros, "zeros");
    }

    /**
     * The device's rewrites (settings {@code fuse}, {@code fold_zero} and {@code cse}; default none).
     *
     * @throws IllegalArgumentException naming the profile, the setting and the allowed values
     */
    public static GraphRewrites of(DeviceProfile device) {
        return new GraphRewrites(device.choice("fuse", "false", "true", "false").equals("true"), ZeroLayers.of(device),
                device.choice("cse", "false", "true", "false").equals("true"));
    }

    int key() {
        return zeros.ordinal() + (fuse ? 3 : 0) + (cse ? 6 : 0);
    }
}
