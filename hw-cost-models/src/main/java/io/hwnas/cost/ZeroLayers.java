package io.hwnas.cost;

import io.hwnas.cost.device.DeviceProfile;

/**
 * How a device's runtime treats zero layers (NAS-Bench-201's {@code none} edges), the profile setting
 * {@code fold_zero}.
 */
public enum ZeroLayers {

    /** {@code "false"}: each is a multiplication by 0, and everything reading it runs (PyTorch eager). */
    COMPUTED("false"),
    /**
     * {@code "sums"}: those read only by sums with another input are left out (the sum skips them); the others
     * run as in {@link #COMPUTED}. What hwnas's ONNX deployment export and its frozen DJL pass do.
     */
    SKIPPED_IN_SUMS("sums"),
    /** {@code "true"}: a graph optimiser folds them and the dead code after them (TFLite's converter). */
    FOLDED("true");

    private final String setting;

    ZeroLayers(String setting) {
        this.setting = setting;
    }

    /** The value of the profile setting {@code fold_zero}. */
    public String setting() {
        return setting;
    }

    /**
     * The device's mode (setting {@code fold_zero}, default {@code "false"}).
     *
     * @throws IllegalArgumentException naming the profile, the setting and the allowed values
     */
    public static ZeroLayers of(DeviceProfile device) {
        String v = device.choice("fold_zero", "false", "false", "sums", "true");
        for (ZeroLayers z : values()) {
            if (z.setting.equals(v)) {
                return z;
            }
        }
        throw new AssertionError(v);
    }
}
