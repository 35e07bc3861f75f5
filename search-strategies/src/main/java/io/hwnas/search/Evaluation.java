package io.hwnas.search;

import io.hwnas.core.arch.Architecture;
import java.util.Map;
import java.util.Objects;

/**
 * The result of evaluating one architecture: its metrics, or why it failed or is infeasible.
 *
 * @param architecture the architecture
 * @param status       OK, FAILED (exception, NaN loss, out of memory) or INFEASIBLE (breaks a hard
 *                     constraint or a device limit; metrics may still be present)
 * @param metrics      metric name to value (see {@link Objective})
 * @param error        the reason for FAILED or INFEASIBLE, else null
 */
public record Evaluation(Architecture architecture, Status status, Map<String, Double> metrics, String error) {

    /** The outcome of one evaluation. */
    public enum Status {
        OK,
        FAILED,
        INFEASIBLE
    }

    public Evaluation {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(status, "status");
        metrics = Map.copyOf(metrics);
    }

    public static Evaluation ok(Architecture a, Map<String, Double> metrics) {
        return new Evaluation(a, Status.OK, metrics, null);
    }

    public static Evaluation failed(Architecture a, String error) {
        return new Evaluation(a, Status.FAILED, Map.of(), error);
    }

    public static Evaluation infeasible(Architecture a, Map<String, Double> metrics, String reason) {
        return new Evaluation(a, Status.INFEASIBLE, metrics, reason);
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    /** A metric's value, NaN when absent. */
    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }
}
