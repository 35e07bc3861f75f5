package io.hwnas.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.LayerCost;
import io.hwnas.cost.Metric;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.evaluate.MeasuredFiringRates;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The data the interactive report draws, as one JSON object (format 2, compact; {@code report-core.js}
 * decodes it): the run, every evaluation (architecture, status, decisions and one value per metric
 * column), each device's objectives, Pareto set and hypervolume over evaluations, each Pareto
 * member's model-card facts and per-layer costs on every device, and the strategy's own report.
 *
 * <p>An evaluation is an array {@code [architecture, status, decisions, metrics]}, then its error
 * when it has one; an architecture or error seen before is the index of the first evaluation with
 * it. Its metrics are kept as precise as the page shows them ({@link CompactJson#number}); a Pareto
 * member's (which the tables show) exactly. A device's admitted evaluations are runs of indexes
 * ({@link CompactJson#runs}), its hypervolume runs of equal values ({@link CompactJson#repeats}). A
 * member's layers on a device are {@code {"l": runs of layer indexes, "c": indexes into
 * layer_costs}}, each cost {@code [time ms, energy mJ, bound]}.
 */
public final class ReportData {

    static final ObjectMapper JSON = new ObjectMapper();

    private ReportData() {
    }

    /**
     * Builds the report data.
     *
     * @param evaluations every evaluation in journal order
     * @param fronts      the per-device Pareto sets
     */
    public static ObjectNode of(RunSetup setup, Path dir, List<Evaluation> evaluations,
            Map<String, List<Evaluation>> fronts) {
        return of(setup, dir, evaluations, fronts, new Cache());
    }

    /**
     * What stays the same while a run grows: each Pareto member's facts and per-layer costs (the
     * expensive part), and the names of the layers they refer to by index. A live view keeps one.
     */
    public static final class Cache {
        private final Map<String, ObjectNode> members = new java.util.HashMap<>();
        private final Map<String, Integer> layerIndex = new LinkedHashMap<>();
        private final ArrayNode layerNames = JSON.createArrayNode();
        private final ArrayNode layerKinds = JSON.createArrayNode();
        private final Map<String, Integer> costIndex = new java.util.HashMap<>();
        private final ArrayNode costs = JSON.createArrayNode();

        int layer(LayerCost l) {
            return layerIndex.computeIfAbsent(l.name(), n -> {
                layerNames.add(n);
                layerKinds.add(l.kind().id());
                return layerIndex.size();
            });
        }

        int cost(LayerCost l) {
            ArrayNode c = JSON.createArrayNode();
            CompactJson.add(c, l.timeMs());
            CompactJson.add(c, l.energyMj());
            c.add(l.bound().name().toLowerCase(Locale.ROOT).substring(0, 1));
            return costIndex.computeIfAbsent(c.toString(), k -> {
                costs.add(c);
                return costIndex.size();
            });
        }
    }

    /** As {@link #of(RunSetup, Path, List, Map)}, reusing (and filling) the cache. */
    public static synchronized ObjectNode of(RunSetup setup, Path dir, List<Evaluation> evaluations,
            Map<String, List<Evaluation>> fronts, Cache cache) {
        ObjectNode o = JSON.createObjectNode().put("format", 2);
        o.set("run", run(setup, evaluations));
        ArrayNode labels = o.putArray("metrics");
        for (Metric m : Metric.values()) {
            labels.addObject().put("key", m.key()).put("label", m.label());
        }
        List<String> cols = columns(setup, evaluations);
        cols.forEach(o.putArray("cols")::add);
        evals(o.putArray("evals"), evaluations, cols);
        Map<String, Integer> memberIndex = new LinkedHashMap<>();
        ArrayNode members = o.putArray("members");
        ArrayNode devices = o.putArray("devices");
        for (DeviceObjectives d : DeviceObjectives.of(setup.config())) {
            DeviceTarget target = target(setup, d.device());
            ObjectNode dev = devices.addObject().put("name", d.device()).put("description", target.description());
            d.metrics().forEach(dev.putArray("objectives")::add);
            dev.set("constraints", JSON.valueToTree(d.constraints()));
            ArrayNode front = dev.putArray("front");
            for (Evaluation e : fronts.getOrDefault(d.device(), List.of())) {
                String key = e.architecture().toString();
                Integer k = memberIndex.get(key);
                if (k == null) {
                    k = memberIndex.size();
                    memberIndex.put(key, k);
                    ObjectNode m = cache.members.computeIfAbsent(key, x -> member(setup, e, cache)).deepCopy();
                    m.setAll(member(e, cols));
                    members.add(m);
                }
                front.add(k);
            }
            List<Integer> admitted = new ArrayList<>();
            for (int i = 0; i < evaluations.size(); i++) {
                if (d.admits(evaluations.get(i))) {
                    admitted.add(i);
                }
            }
            CompactJson.runs(dev.putArray("admitted"), admitted);
            CompactJson.repeats(dev.putArray("hypervolume"), Hypervolumes.progress(d, evaluations));
        }
        o.set("layer_names", cache.layerNames.deepCopy());
        o.set("layer_kinds", cache.layerKinds.deepCopy());
        o.set("layer_costs", cache.costs.deepCopy());
        o.set("strategy", strategy(dir));
        o.put("rung_metric", CandidateEvaluator.FIDELITY_STEPS);
        return o;
    }

    /** The report data as text safe to put inside a {@code <script>} element. */
    public static String toScriptText(JsonNode data) {
        try {
            return JSON.writeValueAsString(data).replace("</", "<\\/").replace("<!--", "<\\!--");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report data", e);
        }
    }

    private static ObjectNode run(RunSetup setup, List<Evaluation> evaluations) {
        var c = setup.config();
        ObjectNode r = JSON.createObjectNode();
        r.put("name", c.name()).put("space", c.space().name()).put("space_options", String.valueOf(c.space().options()))
                .put("accuracy", c.accuracy().name()).put("strategy", c.strategy().name()).put("seed", c.seed())
                .put("budget", c.budget()).put("evaluations", evaluations.size());
        r.put("failed", evaluations.stream().filter(e -> e.status() == Evaluation.Status.FAILED).count());
        r.put("infeasible", evaluations.stream().filter(e -> e.status() == Evaluation.Status.INFEASIBLE).count());
        setup.space().positions().forEach(r.putArray("positions")::add);
        // a predictor's accuracies are predictions; the Pareto members' are re-measured by this estimator
        setup.accuracy().measuredBy().ifPresent(m -> r.put("accuracy_measured_by", m.name()));
        return r;
    }

    /** accuracy, every metric of every device, then the rung steps when any evaluation has them. */
    private static List<String> columns(RunSetup setup, List<Evaluation> evaluations) {
        List<String> cols = new ArrayList<>(List.of("accuracy"));
        for (DeviceObjectives d : DeviceObjectives.of(setup.config())) {
            for (Metric m : Metric.values()) {
                cols.add(d.metric(m));
            }
        }
        if (evaluations.stream().anyMatch(e -> e.metrics().containsKey(CandidateEvaluator.FIDELITY_STEPS))) {
            cols.add(CandidateEvaluator.FIDELITY_STEPS);
        }
        return cols;
    }

    /** Every evaluation as {@code [architecture, status, decisions, metrics(, error)]}, repeats by index. */
    private static void evals(ArrayNode out, List<Evaluation> evaluations, List<String> cols) {
        Map<String, Integer> archs = new java.util.HashMap<>();
        Map<String, Integer> errors = new java.util.HashMap<>();
        for (int i = 0; i < evaluations.size(); i++) {
            Evaluation e = evaluations.get(i);
            ArrayNode r = out.addArray();
            Integer seen = archs.putIfAbsent(e.architecture().canonical(), i);
            if (seen == null) {
                r.add(e.architecture().canonical());
            } else {
                r.add(seen);
            }
            r.add(e.status().name().substring(0, 1));
            e.architecture().vector().forEach(r.addArray()::add);
            ArrayNode m = r.addArray();
            cols.forEach(c -> CompactJson.add(m, e.metric(c)));
            if (e.error() != null) {
                seen = errors.putIfAbsent(e.error(), i);
                if (seen == null) {
                    r.add(e.error());
                } else {
                    r.add(seen);
                }
            }
        }
    }

    /** A Pareto member's row: architecture, status, decisions and its exact metrics (the tables show them). */
    private static ObjectNode member(Evaluation e, List<String> cols) {
        ObjectNode r = JSON.createObjectNode();
        r.put("a", e.architecture().canonical());
        r.put("s", e.status().name().substring(0, 1));
        ArrayNode v = r.putArray("v");
        e.architecture().vector().forEach(v::add);
        ArrayNode m = r.putArray("m");
        for (String c : cols) {
            double x = e.metric(c);
            if (Double.isFinite(x)) {
                m.add(x);
            } else {
                m.addNull();
            }
        }
        if (e.error() != null) {
            r.put("e", e.error());
        }
        return r;
    }

    /**
     * One Pareto member's model-card facts and per-layer costs on every device: the layers' indexes
     * in {@code layer_names} as runs, and each layer's index in {@code layer_costs}.
     */
    private static ObjectNode member(RunSetup setup, Evaluation e, Cache cache) {
        ObjectNode m = JSON.createObjectNode();
        Architecture a = e.architecture();
        Network n = setup.evaluator().network(a);
        ObjectNode facts = m.putObject("facts");
        facts.put("space", a.space() + " " + setup.space().options());
        facts.put("input", String.valueOf(n.inputShape())).put("output", String.valueOf(n.outputShape()));
        facts.put("parameters", n.params()).put("MACs", n.macs()).put("model bytes", n.modelBytes());
        facts.put("peak activation bytes per sample", n.peakActivationBytes());
        Map<String, Double> rates = MeasuredFiringRates.of(e);
        ObjectNode layers = m.putObject("layers");
        ObjectNode fits = m.putObject("fits");
        for (DeviceTarget d : setup.devices()) {
            CostReport cost = d.cost(a, n, rates);
            fits.put(d.name(), cost.violations().isEmpty() ? "yes" : "no: " + String.join("; ", cost.violations()));
            ObjectNode rows = layers.putObject(d.name());
            List<Integer> names = new ArrayList<>();
            ArrayNode costs = JSON.createArrayNode();
            for (LayerCost l : cost.layers()) {
                names.add(cache.layer(l));
                costs.add(cache.cost(l));
            }
            CompactJson.runs(rows.putArray("l"), names);
            rows.set("c", costs);
        }
        return m;
    }

    /** What the strategy reported ({@code strategy-report.json}), or an empty object. */
    static JsonNode strategy(Path dir) {
        Path file = dir.resolve(ReportWriter.STRATEGY_REPORT);
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static DeviceTarget target(RunSetup setup, String device) {
        return setup.devices().stream().filter(t -> t.name().equals(device)).findFirst().orElseThrow();
    }

    /** Six significant digits: enough for a chart and a tooltip, and a small file. */
    static double round(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        return Double.parseDouble(String.format(Locale.ROOT, "%.6g", v));
    }
}
