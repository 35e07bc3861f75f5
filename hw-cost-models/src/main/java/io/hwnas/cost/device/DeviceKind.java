package io.hwnas.cost.device;

import java.util.Locale;

/** The four classes of target the analytical cost models cover. */
public enum DeviceKind {
    CPU, GPU, NPU, NEUROMORPHIC;

    /** The lower-case name used in profiles, e.g. {@code npu}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a profile's {@code kind}.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static DeviceKind parse(String text) {
        for (DeviceKind k : values()) {
            if (k.id().equals(text)) {
                return k;
            }
        }
        throw new IllegalArgumentException("kind '" + text + "' is not allowed; expected one of [cpu, gpu, npu, neuromorphic]");
    }
}
