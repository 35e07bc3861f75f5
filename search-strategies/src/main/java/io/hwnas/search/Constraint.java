package io.hwnas.search;

import java.util.Map;
import java.util.Objects;

/** A hard constraint {@code metric <= max} (e.g. {@code latency_ms@raspi4 <= 20}). */
public record Constraint(String metric, double max) {

    public Constraint {
        Objects.requireNonNull(metric, "metric");
        if (Double.isNaN(max)) {
            throw new IllegalArgumentException("constraint on " + metric + " needs a bound, but was NaN");
        }
    }

    public boolean satisfiedBy(Map<String, Double> metrics) {
        Double v = metrics.get(metric);
        return v != null && v <= max;
    }

    /** How far the metrics exceed the bound, relative to it (0 when satisfied). */
    public double violation(Map<String, Double> metrics) {
        Double v = metrics.get(metric);
        if (v == null || v.isNaN()) {
            return Double.POSITIVE_INFINITY;
        }
        return v <= max ? 0 : (v - max) / Math.max(Math.abs(max), 1e-12);
    }

    @Override
    public String toString() {
        return metric + " <= " + max;
    }
}
