package io.hwnas.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.cost.Metric;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code report.html}: one self-contained interactive page (ECharts and the data inlined)
 * with, per device, accuracy against each objective (hover for a point's architecture and costs on
 * every device, click for its per-layer breakdown), the hypervolume over evaluations and the table
 * of Pareto members; the strategy's views and decisions against objectives below.
 */
public final class ReportWriter {

    public static final String FILE = "report.html";

    /** What the strategy reported (the run writes it; the report shows its trajectory). */
    public static final String STRATEGY_REPORT = "strategy-report.json";

    private ReportWriter() {
    }

    /**
     * Writes the report.
     *
     * @param evaluations every evaluation in journal order
     * @param fronts      the per-device Pareto sets
     */
    public static Path write(RunSetup setup, Path dir, List<Evaluation> evaluations,
            Map<String, List<Evaluation>> fronts) {
        Path file = dir.resolve(FILE);
        io.hwnas.core.io.AtomicFiles.writeString(file, page(setup, dir, evaluations, fronts, null,
                new ReportData.Cache()));
        return file;
    }

    /**
     * The report page; with {@code liveUrl} not null the page polls that URL for new data (a live
     * view served by {@code hwnas serve}, which keeps one cache per run).
     */
    public static String page(RunSetup setup, Path dir, List<Evaluation> evaluations,
            Map<String, List<Evaluation>> fronts, String liveUrl, ReportData.Cache cache) {
        ObjectNode data = ReportData.of(setup, dir, evaluations, fronts, cache);
        if (liveUrl != null) {
            ((ObjectNode) data.get("run")).put("live", liveUrl);
        }
        return ReportPage.html("hwnas report: " + setup.config().name(), data, body(setup, dir, evaluations, fronts,
                liveUrl != null));
    }

    private static StringBuilder body(RunSetup setup, Path dir, List<Evaluation> evaluations,
            Map<String, List<Evaluation>> fronts, boolean live) {
        StringBuilder h = new StringBuilder();
        var c = setup.config();
        h.append("<h1>hwnas run <code>").append(esc(c.name())).append("</code></h1>");
        if (live) {
            h.append("<p id=\"live-status\">live</p>");
        }
        long failed = evaluations.stream().filter(e -> e.status() == Evaluation.Status.FAILED).count();
        long infeasible = evaluations.stream().filter(e -> e.status() == Evaluation.Status.INFEASIBLE).count();
        h.append("<p>space <b>").append(esc(c.space().name())).append("</b> ").append(esc(c.space().options()))
                .append(", accuracy <b>").append(esc(c.accuracy().name())).append("</b>")
                .append(setup.accuracy().measuredBy().map(m -> " (predicted; Pareto members re-measured with <b>"
                        + esc(m.name()) + "</b>)").orElse("")).append(", strategy <b>")
                .append(esc(c.strategy().name())).append("</b>, seed ").append(c.seed()).append(", budget ")
                .append(c.budget()).append(": <span id=\"n-evals\">").append(evaluations.size())
                .append("</span> evaluations (<span id=\"n-failed\">").append(failed)
                .append("</span> failed, <span id=\"n-infeasible\">").append(infeasible).append("</span> infeasible). Hover a point for its architecture and"
                        + " costs on every device; click it for its per-layer breakdown.</p><ul>");
        for (DeviceTarget d : setup.devices()) {
            h.append("<li><a href=\"#").append(esc(d.name())).append("\">").append(esc(d.name())).append("</a>: ")
                    .append(esc(d.description())).append(", <span class=\"n-front\">").append(fronts.get(d.name()).size())
                    .append("</span> Pareto members</li>");
        }
        h.append("</ul><div id=\"app\"></div>");
        List<DeviceObjectives> devices = DeviceObjectives.of(c);
        for (int i = 0; i < devices.size(); i++) {
            DeviceObjectives d = devices.get(i);
            device(h, i, ReportData.target(setup, d.device()), d, fronts.get(d.device()),
                    setup.accuracy().measuredBy().map(m -> "accuracy (" + m.name() + ")").orElse("accuracy"));
        }
        h.append("<section id=\"strategy-views\"></section>");
        trajectory(h, ReportData.strategy(dir));
        h.append("<h2 id=\"decisions\">Decisions against objectives</h2><div id=\"parallel\" class=\"chart\"></div>");
        h.append("<h2 id=\"failed-evaluations\">Failed evaluations</h2><div id=\"failed-list\"></div>");
        return h;
    }

    private static void device(StringBuilder h, int index, DeviceTarget target, DeviceObjectives d,
            List<Evaluation> front, String accuracy) {
        h.append("<section id=\"device-").append(index).append("\"><h2 id=\"").append(esc(d.device())).append("\">")
                .append(esc(d.device())).append("</h2><p>").append(esc(target.description()))
                .append(", objectives accuracy and ").append(esc(String.join(", ", d.metrics())))
                .append(d.constraints().isEmpty() ? "" : ", constraints " + esc(d.constraints())).append("</p>");
        h.append("<table class=\"front\"><tr><th>#</th><th class=\"l\">architecture</th><th>").append(esc(accuracy))
                .append("</th><th>latency (ms)</th><th>energy (mJ)</th><th>peak memory (bytes)</th><th>model (bytes)</th></tr>");
        for (int k = 0; k < front.size(); k++) {
            Evaluation e = front.get(k);
            h.append("<tr><td>").append(k + 1).append("</td><td class=\"l\">").append(esc(e.architecture().canonical()))
                    .append("</td><td>").append(fmt(e.metric("accuracy"))).append("</td><td>")
                    .append(fmt(e.metric(d.metric(Metric.LATENCY_MS)))).append("</td><td>")
                    .append(fmt(e.metric(d.metric(Metric.ENERGY_MJ)))).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,.0f", e.metric(d.metric(Metric.PEAK_MEMORY_BYTES))))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%,.0f", e.metric(d.metric(Metric.MODEL_BYTES))))
                    .append("</td></tr>");
        }
        h.append("</table></section>");
    }

    /**
     * The strategy's trajectory (NetAdapt: target, shrunk layer, predicted latency and short-term
     * accuracy per iteration) from {@code strategy-report.json}, when the run has one.
     */
    private static void trajectory(StringBuilder h, JsonNode report) {
        JsonNode rows = report.path("trajectory");
        if (!rows.isArray() || rows.isEmpty()) {
            return;
        }
        h.append("<h2 id=\"trajectory\">Strategy trajectory</h2><p>").append(esc(report.path("metric").asText()))
                .append(": initial ").append(fmt(report.path("initial_latency").asDouble())).append(", budget ")
                .append(fmt(report.path("latency_budget").asDouble())).append("; stop: ")
                .append(esc(report.path("stop").asText())).append("</p>");
        h.append("<table><tr><th>iteration</th><th>target</th><th class=\"l\">shrunk</th><th>latency</th>"
                + "<th>accuracy</th><th>candidates</th><th class=\"l\">architecture</th></tr>");
        for (JsonNode r : rows) {
            h.append("<tr><td>").append(r.path("iteration").asInt()).append("</td><td>")
                    .append(fmt(r.path("target").asDouble())).append("</td><td class=\"l\">")
                    .append(esc(r.path("shrunk").asText())).append("</td><td>")
                    .append(fmt(r.path("latency").asDouble())).append("</td><td>")
                    .append(fmt(r.path("accuracy").asDouble())).append("</td><td>").append(r.path("candidates").asInt())
                    .append("</td><td class=\"l\">").append(esc(r.path("arch").asText())).append("</td></tr>");
        }
        h.append("</table>");
    }

    static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"",
                "&quot;");
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "unknown" : String.format(Locale.ROOT, "%.4g", v);
    }
}
