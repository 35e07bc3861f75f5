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
 * @param runs         timed runs
 * @param warmup       warm-up runs
 * @param threads      intra-op threads
 * @param energyMj     energy per inference in mJ, or NaN when not measured
 * @param energyNote   how the energy was measured, or why it was not
 * @param budgetSpent  true when the runs stopped because the time per measurement was spent
 */
public record Measurement(double medianMs, double p10Ms, double p90Ms, int runs, int warmup, int threads,
        double energyMj, String energyNote, boolean budgetSpent) {

    /** The agent's JSON answer; energy is {@code null} with its reason when not measured. */
    public ObjectNode json() {
        ObjectNode o = Json.object();
        o.put("median_ms", medianMs);
        o.put("p10_ms", p10Ms);
        o.put("p90_ms", p90Ms);
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
        return new Measurement(o.path("median_ms").asDouble(Double.NaN), o.path("p10_ms").asDouble(Double.NaN),
                o.path("p90_ms").asDouble(Double.NaN), o.path("runs").asInt(), o.path("warmup").asInt(),
                o.path("threads").asInt(), e.isObject() ? e.path("mj_per_inference").asDouble(Double.NaN) : Double.NaN,
                o.path("energy_note").asText(""), o.path("budget_spent").asBoolean());
    }
}
