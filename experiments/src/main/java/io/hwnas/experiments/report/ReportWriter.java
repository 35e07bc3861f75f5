package io.hwnas.experiments.report;

import io.hwnas.cost.Metric;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.LayerCost;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.pareto.Hypervolume;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.evaluate.MeasuredFiringRates;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes {@code report.html}: one self-contained page (plots inlined as PNG) with, per device, the
 * Pareto plots (accuracy vs latency and vs energy), the hypervolume over evaluations, the table of
 * Pareto members and each member's per-layer cost breakdown.
 */
public final class ReportWriter {

    public static final String FILE = "report.html";

    /** What the strategy reported (the run writes it; the report shows its trajectory). */
    public static final String STRATEGY_REPORT = "strategy-report.json";
    private static final Color ALL = new Color(150, 150, 150, 110);
    private static final Color FRONT = new Color(200, 40, 40);

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
        StringBuilder h = new StringBuilder();
        var c = setup.config();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hwnas report: ")
                .append(esc(c.name())).append("</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:90%}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
                .append("td.l,th.l{text-align:left;font-family:monospace}")
                .append("img{max-width:100%;margin:0.5em 1em 0.5em 0}")
                .append("details{margin:0.3em 0}summary{cursor:pointer}")
                .append("</style></head><body>");
        h.append("<h1>hwnas run <code>").append(esc(c.name())).append("</code></h1>");
        long failed = evaluations.stream().filter(e -> e.status() == Evaluation.Status.FAILED).count();
        long infeasible = evaluations.stream().filter(e -> e.status() == Evaluation.Status.INFEASIBLE).count();
        h.append("<p>space <b>").append(esc(c.space().name())).append("</b> ").append(esc(c.space().options()))
                .append(", accuracy <b>").append(esc(c.accuracy().name())).append("</b>, strategy <b>")
                .append(esc(c.strategy().name())).append("</b>, seed ").append(c.seed()).append(", budget ")
                .append(c.budget()).append(": ").append(evaluations.size()).append(" evaluations (").append(failed)
                .append(" failed, ").append(infeasible).append(" infeasible).</p>");
        h.append("<ul>");
        for (DeviceTarget d : setup.devices()) {
            h.append("<li><a href=\"#").append(esc(d.name())).append("\">").append(esc(d.name())).append("</a>: ")
                    .append(esc(d.description())).append(", ").append(fronts.get(d.name()).size())
                    .append(" Pareto members</li>");
        }
        h.append("</ul>");
        for (DeviceObjectives d : DeviceObjectives.of(c)) {
            DeviceTarget target = setup.devices().stream().filter(t -> t.name().equals(d.device())).findFirst()
                    .orElseThrow();
            device(h, setup, target, d, evaluations, fronts.get(d.device()));
        }
        trajectory(h, dir);
        h.append("</body></html>\n");
        Path file = dir.resolve(FILE);
        io.hwnas.core.io.AtomicFiles.writeString(file, h);
        return file;
    }

    private static void device(StringBuilder h, RunSetup setup, DeviceTarget target, DeviceObjectives d,
            List<Evaluation> evaluations, List<Evaluation> front) {
        h.append("<h2 id=\"").append(esc(d.device())).append("\">").append(esc(d.device())).append("</h2><p>")
                .append(esc(target.description())).append(d.constraints().isEmpty() ? ""
                        : ", constraints " + esc(d.constraints())).append("</p>");
        List<Evaluation> admitted = evaluations.stream().filter(d::admits).toList();
        h.append(img(scatter(d, Metric.LATENCY_MS, admitted, front)));
        h.append(img(scatter(d, Metric.ENERGY_MJ, admitted, front)));
        h.append(img(progress(d, evaluations)));
        h.append("<table><tr><th>#</th><th class=\"l\">architecture</th><th>accuracy</th><th>latency (ms)</th>"
                + "<th>energy (mJ)</th><th>peak memory (bytes)</th><th>model (bytes)</th></tr>");
        for (int k = 0; k < front.size(); k++) {
            Evaluation e = front.get(k);
            h.append("<tr><td>").append(k + 1).append("</td><td class=\"l\">").append(esc(e.architecture().canonical()))
                    .append("</td><td>").append(fmt(e.metric("accuracy"))).append("</td><td>")
                    .append(fmt(e.metric(d.metric(Metric.LATENCY_MS)))).append("</td><td>")
                    .append(fmt(e.metric(d.metric(Metric.ENERGY_MJ)))).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,.0f", e.metric(d.metric("peak_memory_bytes"))))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%,.0f", e.metric(d.metric("model_bytes"))))
                    .append("</td></tr>");
        }
        h.append("</table>");
        for (int k = 0; k < front.size(); k++) {
            Architecture a = front.get(k).architecture();
            CostReport cost = target.cost(a, setup.evaluator().network(a), MeasuredFiringRates.of(front.get(k)));
            h.append("<details><summary>member ").append(k + 1).append(": per-layer breakdown (")
                    .append(cost.layers().size()).append(" layers, ").append(fmt(cost.latencyMs())).append(" ms, ")
                    .append(fmt(cost.energyMj())).append(" mJ)</summary><table><tr><th class=\"l\">layer</th>"
                            + "<th class=\"l\">kind</th><th>time (ms)</th><th>energy (mJ)</th><th class=\"l\">bound</th></tr>");
            for (LayerCost r : cost.layers()) {
                h.append("<tr><td class=\"l\">").append(esc(r.name())).append("</td><td class=\"l\">")
                        .append(esc(r.kind().id())).append("</td><td>").append(fmt(r.timeMs())).append("</td><td>")
                        .append(fmt(r.energyMj())).append("</td><td class=\"l\">").append(esc(r.bound().name().toLowerCase(Locale.ROOT)))
                        .append("</td></tr>");
            }
            h.append("</table></details>");
        }
    }

    /**
     * The strategy's trajectory (NetAdapt: target, shrunk layer, predicted latency and short-term
     * accuracy per iteration) from {@code strategy-report.json}, when the run has one.
     */
    private static void trajectory(StringBuilder h, Path dir) {
        Path file = dir.resolve(STRATEGY_REPORT);
        if (!Files.isRegularFile(file)) {
            return;
        }
        com.fasterxml.jackson.databind.JsonNode report;
        try {
            report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        com.fasterxml.jackson.databind.JsonNode rows = report.path("trajectory");
        if (!rows.isArray() || rows.isEmpty()) {
            return;
        }
        h.append("<h2 id=\"trajectory\">Strategy trajectory</h2><p>").append(esc(report.path("metric").asText()))
                .append(": initial ").append(fmt(report.path("initial_latency").asDouble())).append(", budget ")
                .append(fmt(report.path("latency_budget").asDouble())).append("; stop: ")
                .append(esc(report.path("stop").asText())).append("</p>");
        double[] xs = new double[rows.size()];
        double[] ys = new double[rows.size()];
        h.append("<table><tr><th>iteration</th><th>target</th><th class=\"l\">shrunk</th><th>latency</th>"
                + "<th>accuracy</th><th>candidates</th><th class=\"l\">architecture</th></tr>");
        for (int i = 0; i < rows.size(); i++) {
            com.fasterxml.jackson.databind.JsonNode r = rows.get(i);
            xs[i] = r.path("latency").asDouble();
            ys[i] = r.path("accuracy").asDouble();
            h.append("<tr><td>").append(r.path("iteration").asInt()).append("</td><td>")
                    .append(fmt(r.path("target").asDouble())).append("</td><td class=\"l\">")
                    .append(esc(r.path("shrunk").asText())).append("</td><td>").append(fmt(xs[i])).append("</td><td>")
                    .append(fmt(ys[i])).append("</td><td>").append(r.path("candidates").asInt())
                    .append("</td><td class=\"l\">").append(esc(r.path("arch").asText())).append("</td></tr>");
        }
        h.append("</table>");
        XYChart chart = new XYChartBuilder().width(560).height(400).title("trajectory: accuracy vs latency")
                .xAxisTitle(report.path("metric").asText()).yAxisTitle("short-term accuracy").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(false);
        XYSeries s = chart.addSeries("trajectory", xs, ys);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(FRONT);
        s.setMarkerColor(FRONT);
        h.append(img(chart));
    }

    private static XYChart scatter(DeviceObjectives d, Metric m, List<Evaluation> allRaw, List<Evaluation> frontRaw) {
        String metric = m.key();
        String label = m.label();
        // evaluations without the metric (unknown energy) have no point to plot
        List<Evaluation> all = allRaw.stream().filter(e -> Double.isFinite(e.metric(d.metric(metric)))).toList();
        List<Evaluation> front = frontRaw.stream().filter(e -> Double.isFinite(e.metric(d.metric(metric)))).toList();
        XYChart chart = new XYChartBuilder().width(560).height(400).title(d.device() + ": accuracy vs " + label)
                .xAxisTitle(label).yAxisTitle("accuracy").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        if (!all.isEmpty()) {
            XYSeries s = chart.addSeries("evaluated (" + all.size() + ")", values(all, d.metric(metric)),
                    values(all, "accuracy"));
            s.setMarkerColor(ALL);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        if (!front.isEmpty()) {
            List<Evaluation> sorted = new ArrayList<>(front);
            sorted.sort(Comparator.comparingDouble(e -> e.metric(d.metric(metric))));
            XYSeries f = chart.addSeries("Pareto set (" + front.size() + ")", values(sorted, d.metric(metric)),
                    values(sorted, "accuracy"));
            f.setMarkerColor(FRONT);
            f.setLineColor(FRONT);
            f.setMarker(SeriesMarkers.DIAMOND);
            if (metric.equals(d.metrics().get(0))) {
                f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
                f.setLineStyle(new BasicStroke(1.2f));
            }
        }
        return chart;
    }

    /** Normalised hypervolume (accuracy vs the first cost metric) after each evaluation. */
    private static XYChart progress(DeviceObjectives d, List<Evaluation> evaluations) {
        String metric = d.metric(d.metrics().get(0));
        double minA = Double.POSITIVE_INFINITY;
        double maxA = Double.NEGATIVE_INFINITY;
        double minC = Double.POSITIVE_INFINITY;
        double maxC = Double.NEGATIVE_INFINITY;
        for (Evaluation e : evaluations) {
            if (d.admits(e)) {
                minA = Math.min(minA, e.metric("accuracy"));
                maxA = Math.max(maxA, e.metric("accuracy"));
                minC = Math.min(minC, e.metric(metric));
                maxC = Math.max(maxC, e.metric(metric));
            }
        }
        List<double[]> points = new ArrayList<>();
        double[] xs = new double[evaluations.size()];
        double[] ys = new double[evaluations.size()];
        for (int i = 0; i < evaluations.size(); i++) {
            Evaluation e = evaluations.get(i);
            if (d.admits(e)) {
                points.add(new double[] {scale(e.metric(metric), minC, maxC),
                    1 - scale(e.metric("accuracy"), minA, maxA)});
            }
            xs[i] = i + 1;
            ys[i] = Hypervolume.of(points.toArray(double[][]::new), new double[] {1, 1});
        }
        XYChart chart = new XYChartBuilder().width(560).height(400)
                .title(d.device() + ": hypervolume over evaluations").xAxisTitle("evaluations")
                .yAxisTitle("hypervolume (normalised, accuracy x " + d.metrics().get(0) + ")").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(false);
        if (xs.length > 0) {
            XYSeries s = chart.addSeries("hypervolume", xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private static double scale(double v, double min, double max) {
        return max > min ? (v - min) / (max - min) * 0.999 : 0;
    }

    private static double[] values(List<Evaluation> list, String metric) {
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).metric(metric);
        }
        return out;
    }

    private static String img(XYChart chart) {
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            return "<img alt=\"" + esc(chart.getTitle()) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(png) + "\">";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the chart " + chart.getTitle(), e);
        }
    }

    static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"",
                "&quot;");
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "unknown" : String.format(Locale.ROOT, "%.4g", v);
    }
}
