package io.hwnas.cost;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * A cost a device objective or constraint may name, with the key configs, journals and Pareto files
 * spell it with, and how to read it from a {@link CostReport}.
 */
public enum Metric {
    LATENCY_MS("latency_ms", "latency (ms)", CostReport::latencyMs),
    ENERGY_MJ("energy_mj", "energy (mJ)", CostReport::energyMj),
    MODEL_BYTES("model_bytes", "model size (bytes)", r -> r.modelBytes()),
    PEAK_MEMORY_BYTES("peak_memory_bytes", "peak memory (bytes)", r -> r.peakMemoryBytes());

    private final String key;
    private final String label;
    private final ToDoubleFunction<CostReport> read;

    Metric(String key, String label, ToDoubleFunction<CostReport> read) {
        this.key = key;
        this.label = label;
        this.read = read;
    }

    /** The name in configs, journals and files, e.g. {@code latency_ms}. */
    public String key() {
        return key;
    }

    /** A label with the unit, for plots and tables. */
    public String label() {
        return label;
    }

    /** This metric of {@code report}; NaN when the report does not know it (energy on some devices). */
    public double of(CostReport report) {
        return read.applyAsDouble(report);
    }

    /** This metric of {@code report}, empty when the report does not know it. */
    public OptionalDouble known(CostReport report) {
        double v = of(report);
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Every key, in declaration order. */
    public static List<String> keys() {
        return Arrays.stream(values()).map(Metric::key).toList();
    }

    /**
     * The metric spelled {@code key}.
     *
     * @throws IllegalArgumentException naming the key and the allowed ones
     */
    public static Metric of(String key) {
        for (Metric m : values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric '" + key + "'; expected one of " + keys());
    }

    /** True when {@code key} names a metric. */
    public static boolean isKey(String key) {
        return Arrays.stream(values()).anyMatch(m -> m.key.equals(key));
    }

    @Override
    public String toString() {
        return key;
    }
}
