package io.hwnas.search;

import java.util.Objects;

/**
 * One objective: a metric to maximise or minimise. Metric names: {@code accuracy}, and per device
 * {@code latency_ms@DEVICE}, {@code energy_mj@DEVICE}, {@code model_bytes@DEVICE},
 * {@code peak_memory_bytes@DEVICE}.
 */
public record Objective(String metric, boolean maximize) {

    public Objective {
        Objects.requireNonNull(metric, "metric");
    }

    public static Objective maximize(String metric) {
        return new Objective(metric, true);
    }

    public static Objective minimize(String metric) {
        return new Objective(metric, false);
    }

    /** The value turned into one to minimise. */
    public double minimizing(double value) {
        return maximize ? -value : value;
    }
}
