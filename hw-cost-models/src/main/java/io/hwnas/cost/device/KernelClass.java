package io.hwnas.cost.device;

import java.util.Locale;

/** The kernel classes whose efficiencies and overheads a device profile gives and calibration fits. */
public enum KernelClass {
    DENSE, POINTWISE, DEPTHWISE, POOL, ELEMENTWISE, LINEAR;

    /** The suffix of the profile numbers of this class, e.g. {@code eff_depthwise}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
