package io.hwnas.experiments.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.Json;

/**
 * One model timed by an agent.
 *
 * @param medianMs     median latency of one inference, ms
 * @param p10Ms        10th percentile
 * @param p90Ms        90th percentile
 * @param cpuMedianMs  median CPU time of the measuring thread per inference, ms, with 1 intra-op thread
 *                     (ONNX Runtime then computes on that thread): the latency without the time other
 *                     processes took the core away; NaN with more threads
 * @param runs         timed runs
 * @param warmup       warm-up runs
 * @param threads      intra-op threads
 * @param energyMj     energy per inference in mJ, or NaN when not measured
 * @param energyNote   how the energy was measured, or why it was not
 * @param budgetSpent  true when the runs stopped because the time per measurement was spent
 */
public record Measurement(double medianMs, double p10Ms, double p90Ms, double cpuMedianMs, int runs, int warmup,
        int threads,
        double energyMj, String energyNote, boolean budgetSpent) {

    /**
     * The latency a client asked for: {@code median} (wall clock), {@code p10} (wall clock) or {@code cpu}
     * (the measuring thread's CPU time, 1 thread only).
     *
     * @throws IllegalStateException for cpu when the agent did not measure it
     */
    public double latency(String statistic) {
        return switch (statistic) {
            case "median" -> medianMs;
            case "p10" -> p10Ms;
            case "cpu" -> {
                if (Double.isNaN(cpuMedianMs)) {
                    throw new IllegalStateException("the agent measures CPU time only with --threads 1");
                }
                yield cpuMedianMs;
            }
            default -> throw new IllegalArgumentException("latency statistic '" + statistic + "' is not one of "
                    + STATISTICS);
        };
    }

    /** The latency statistics a client may use. */
    public static final java.util.List<String> STATISTICS = java.util.List.of("median", "p10", "cpu");

    /** The agent's JSON answer; energy is {@code null} with its reason when not measured. */
    public ObjectNode json() {
        ObjectNode o = Json.object();
        o.put("median_ms", medianMs);
        o.put("p10_ms", p10Ms);
        o.put("p90_ms", p90Ms);
        if (Double.isNaN(cpuMedianMs)) {
            o.putNull("cpu_median_ms");
        } else {
            o.put("cpu_median_ms", cpuMedianMs);
        }
        o.put("runs", runs);
        o.put("warmup", warmup);
        o.put("threads", threads);
        if (Double.isNaN(energyMj)) {
            o.putNull("energy");
        } else {
            o.putObject("energy").put("mj_per_inference", energyMj);
        }
        o.put("energy_note", energyNote);
        o.put("budget_spent", budgetSpent);
        return o;
    }

    /** Reads an agent's answer. */
    public static Measurement of(JsonNode o) {
        JsonNode e = o.path("energy");
        return new Measurement(num(o, "median_ms"), num(o, "p10_ms"), num(o, "p90_ms"), num(o, "cpu_median_ms"), o.path("runs").asInt(), o.path("warmup").asInt(),
                o.path("threads").asInt(), e.isObject() ? num(e, "mj_per_inference") : Double.NaN,
                o.path("energy_note").asText(""), o.path("budget_spent").asBoolean());
    }

    private static double num(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
