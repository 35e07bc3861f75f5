package io.hwnas.experiments.run;

import io.hwnas.cost.Metric;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.report.ReportWriter;

import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.evaluate.MeasuredFiringRates;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.LayerCost;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.experiments.export.CompressionLayers;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.ir.Network;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.export.RunDirectoryExport;
import io.hwnas.search.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the results of a run: {@code pareto/<device>.json|csv} and {@code models/<device>/<k>/}. */
public final class RunOutputs {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The per-device metrics written for each Pareto member. */
    static final List<String> COLUMNS = CandidateEvaluator.METRICS.stream().map(Metric::key).toList();

    private final RunSetup setup;
    private final Path dir;

    public RunOutputs(RunSetup setup, Path dir) {
        this.setup = setup;
        this.dir = dir;
    }

    public void writeFronts(Map<String, List<Evaluation>> fronts) {
        try {
            Path pareto = Files.createDirectories(dir.resolve("pareto"));
            for (DeviceObjectives d : DeviceObjectives.of(setup.config())) {
                List<Evaluation> front = fronts.get(d.device());
                ObjectNode o = JSON.createObjectNode();
                o.put("device", d.device());
                ArrayNode obj = o.putArray("objectives");
                obj.add("accuracy (max)");
                d.metrics().forEach(m -> obj.add(m + " (min)"));
                o.set("constraints", JSON.valueToTree(d.constraints()));
                ArrayNode members = o.putArray("members");
                boolean rungs = setup.config().fidelity() != null; // multi-fidelity: the steps of each accuracy
                StringBuilder csv = new StringBuilder("rank,arch,accuracy," + String.join(",", COLUMNS)
                        + (rungs ? ",fidelity_steps" : "") + "\n");
                for (int k = 0; k < front.size(); k++) {
                    Evaluation e = front.get(k);
                    ObjectNode m = members.addObject();
                    m.put("rank", k + 1);
                    m.put("space", e.architecture().space());
                    m.put("arch", e.architecture().canonical());
                    m.set("vector", JSON.valueToTree(e.architecture().vector()));
                    m.put("accuracy", e.metric("accuracy"));
                    CompressionLayers.of(setup.space(), e.architecture(), setup.evaluator().input(),
                            setup.evaluator().classes()).ifPresent(c -> m.set("compression", CompressionLayers.json(c)));
                    csv.append(k + 1).append(",\"").append(e.architecture().canonical()).append("\",")
                            .append(e.metric("accuracy"));
                    for (String c : COLUMNS) {
                        double v = e.metric(d.metric(c));
                        if (Double.isFinite(v)) {
                            m.put(c, v);
                            csv.append(',').append(v);
                        } else { // unknown (energy of a device without energy data): null, an empty CSV field
                            m.putNull(c);
                            csv.append(',');
                        }
                    }
                    measuredFigures(m, e, d.device());
                    if (rungs) {
                        m.put("fidelity_steps", RungSchedule.steps(e));
                        csv.append(',').append(RungSchedule.steps(e));
                    }
                    csv.append('\n');
                }
                AtomicFiles.writeString(pareto.resolve(d.device() + ".json"), JSON.writeValueAsString(o));
                AtomicFiles.writeString(pareto.resolve(d.device() + ".csv"), csv);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Pareto sets under " + dir, e);
        }
    }

    /**
     * On a device measured through an agent: which of a member's figures were measured ({@code true}: the
     * latency, when the agent timed it) and which predicted by the cost model ({@code false}).
     */
    private static void measuredFigures(ObjectNode member, Evaluation e, String device) {
        double latency = e.metric(io.hwnas.experiments.evaluate.DeviceTarget.latencyMeasured(device));
        if (Double.isNaN(latency)) {
            return;
        }
        double energy = e.metric(io.hwnas.experiments.evaluate.DeviceTarget.energyMeasured(device));
        ObjectNode o = member.putObject("measured");
        for (String c : COLUMNS) {
            o.put(c, c.equals("latency_ms") && latency == 1.0 || c.equals("energy_mj") && energy == 1.0);
        }
    }

    /**
     * For a device measured through an agent: whether a figure (detail {@code flag}, latency or energy) was
     * measured or predicted; else nothing.
     */
    private static String source(CostReport c, String flag) {
        Double m = c.details().get(flag);
        return m == null ? "" : m == 1.0 ? " (measured)" : " (predicted)";
    }

    public void writeModels(Map<String, List<Evaluation>> fronts) {
        writeModels(fronts, Map.of());
    }

    /** Writes the model directories, copying in trained weights where final training produced them. */
    void writeModels(Map<String, List<Evaluation>> fronts, Map<String, FinalTraining.Trained> trained) {
        try {
            for (DeviceTarget target : setup.devices()) {
                List<Evaluation> front = fronts.get(target.name());
                for (int k = 0; k < front.size(); k++) {
                    Path m = Files.createDirectories(dir.resolve("models").resolve(target.name())
                            .resolve(Integer.toString(k + 1)));
                    Architecture a = front.get(k).architecture();
                    AtomicFiles.writeString(m.resolve("architecture.json"), JSON.writeValueAsString(a));
                    FinalTraining.Trained t = trained.get(a.canonical());
                    Path weights = m.resolve(FinalTraining.WEIGHTS);
                    boolean sameWeights = t == null
                            || Files.isRegularFile(weights) && Files.mismatch(t.weights(), weights) == -1;
                    if (!sameWeights) {
                        AtomicFiles.copy(t.weights(), weights);
                    }
                    String card = modelCard(target, front.get(k), k + 1, front.size(), t, Files.exists(weights));
                    // an ONNX export section (hwnas export) stays while the weights it was exported from do
                    AtomicFiles.writeString(m.resolve(CARD), sameWeights ? card + RunDirectoryExport.exportSection(
                            m.resolve(CARD)) : card);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the models under " + dir, e);
        }
    }

    static final String CARD = RunDirectoryExport.CARD;

    /** The strategy's report, as written by {@link #writeStrategyReport}. */
    public static final String STRATEGY_REPORT = ReportWriter.STRATEGY_REPORT;
    /** The strategy's trajectory (NetAdapt: one row per iteration) as CSV, beside the report. */
    public static final String TRAJECTORY_CSV = "strategy-trajectory.csv";

    /**
     * Writes {@code strategy-report.json} and, when the report has a {@code trajectory} (a list of
     * rows, as NetAdapt's), {@code strategy-trajectory.csv} with one line per row.
     */
    public void writeStrategyReport(Map<String, Object> report) {
        if (report.isEmpty()) {
            return;
        }
        try {
            AtomicFiles.writeString(dir.resolve(STRATEGY_REPORT), JSON.writeValueAsString(report));
            if (report.get("trajectory") instanceof List<?> rows && !rows.isEmpty()
                    && rows.get(0) instanceof Map<?, ?> first) {
                List<String> columns = first.keySet().stream().map(String::valueOf).toList();
                StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\n');
                for (Object row : rows) {
                    Map<?, ?> r = (Map<?, ?>) row;
                    for (int i = 0; i < columns.size(); i++) {
                        csv.append(i == 0 ? "" : ",").append(csvField(r.get(columns.get(i))));
                    }
                    csv.append('\n');
                }
                AtomicFiles.writeString(dir.resolve(TRAJECTORY_CSV), csv);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the strategy report under " + dir, e);
        }
    }

    String modelCard(DeviceTarget target, Evaluation e, int rank, int of, FinalTraining.Trained trained,
            boolean hasWeights) {
        ExperimentConfig c = setup.config();
        Architecture a = e.architecture();
        Network n = setup.evaluator().network(a);
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(c.name()).append(": ").append(target.name()).append(" model ").append(rank)
                .append(" of ").append(of).append("\n\n");
        sb.append("- space: `").append(a.space()).append("` ").append(setup.space().options()).append('\n');
        sb.append("- architecture: `").append(a.canonical()).append("`\n");
        sb.append("- accuracy: ").append(fmt(e.metric("accuracy"))).append(" (").append(c.accuracy().name())
                .append(' ').append(setup.accuracy().options()).append(")\n");
        sb.append("- network: input ").append(n.inputShape()).append(", output ").append(n.outputShape())
                .append(String.format(Locale.ROOT, ", %,d parameters, %,d MACs, %,d model bytes, %,d peak activation "
                        + "bytes per sample%n", n.params(), n.macs(), n.modelBytes(), n.peakActivationBytes()));
        if (trained != null) {
            sb.append(String.format(Locale.ROOT, "- final training: validation top-1 %.2f%% after %d steps (%.1f s, "
                    + "%.0f images/s); weights in `%s`%n", trained.result().top1(), trained.result().steps(),
                    trained.result().wallSeconds(), trained.result().imagesPerSecond(), FinalTraining.WEIGHTS));
            if (trained.from() != null) {
                sb.append("  - started from ").append(trained.from()).append('\n');
            }
        } else if (hasWeights) {
            sb.append("- trained weights: `").append(FinalTraining.WEIGHTS).append("`\n");
        } else if (!c.finalTraining().isEmpty()) {
            sb.append("- final training: not finished (`hwnas search --resume` on the run directory trains the"
                    + " members not trained yet)\n");
        }
        if (setup.devices().stream().anyMatch(DeviceTarget::spiking)) {
            sb.append("- neuromorphic firing rates: ").append(MeasuredFiringRates.describe(e,
                    String.valueOf(setup.accuracy().options().getOrDefault("dataset", "the dataset")), setup.devices()))
                    .append('\n');
        }
        Map<String, Double> rates = MeasuredFiringRates.of(e);
        costTable(sb, a, n, rates);
        CostReport mine = target.cost(a, n, rates);
        if (!mine.details().isEmpty()) {
            sb.append("\n## Energy parts and chip use on ").append(target.name()).append("\n\n| figure | value |\n|---|---|\n");
            mine.details().forEach((k, v) -> sb.append(DeviceTarget.isMeasuredFlag(k) ? ""
                    : "| " + k + " | " + fmt(v) + " |\n"));
        }
        layerBreakdown(sb, target.name(), mine);
        return sb.toString();
    }

    /** The card's per-layer table on the run's device, with where each kernel runs (the host, and why). */
    private static void layerBreakdown(StringBuilder sb, String device, CostReport mine) {
        sb.append("\n## Per-layer breakdown on ").append(device).append("\n\n");
        long host = mine.layers().stream().filter(r -> !r.placement().isEmpty()).count();
        if (host > 0) {
            sb.append(host).append(" of ").append(mine.layers().size()).append(" kernels run on the host CPU, not on ")
                    .append(device).append(" (column \"runs on\").\n\n");
        }
        sb.append("| layer | kind | time (ms) | energy (mJ) | bound | runs on |\n|---|---|---|---|---|---|\n");
        for (LayerCost r : mine.layers()) {
            sb.append("| ").append(r.name()).append(" | ").append(r.kind().id()).append(" | ").append(fmt(r.timeMs()))
                    .append(" | ").append(fmt(r.energyMj())).append(" | ").append(r.bound().name().toLowerCase(Locale.ROOT))
                    .append(" | ").append(r.placement().isEmpty() ? "device" : r.placement()).append(" |\n");
        }
    }

    /** The model card's table of the member's costs on every device of the run. */
    private void costTable(StringBuilder sb, Architecture a, Network n, Map<String, Double> rates) {
        sb.append("\n## Predicted costs on every device of the run\n\n");
        sb.append("| device | model | latency (ms) | energy (mJ) | peak memory (bytes) | model (bytes) | fits |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (DeviceTarget d : setup.devices()) {
            CostReport cost = d.cost(a, n, rates);
            sb.append("| ").append(d.name()).append(" | ").append(d.description()).append(" | ").append(fmt(cost.latencyMs())
                    + source(cost, DeviceTarget.LATENCY_MEASURED) + " | " + fmt(cost.energyMj())
                    + source(cost, DeviceTarget.ENERGY_MEASURED) + " | ")
                    .append(String.format(Locale.ROOT, "%,d", cost.peakMemoryBytes())).append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", cost.modelBytes())).append(" | ")
                    .append(cost.violations().isEmpty() ? "yes" : "no: " + String.join("; ", cost.violations()))
                    .append(" |\n");
        }
    }

    private static String csvField(Object v) {
        if (v == null) {
            return "";
        }
        String s = v instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList())
                : String.valueOf(v);
        return s.matches("[A-Za-z0-9_.@+-]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "unknown" : String.format(Locale.ROOT, "%.4g", v);
    }
}
