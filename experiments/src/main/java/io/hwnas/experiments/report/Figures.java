package io.hwnas.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.cost.Metric;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts as vector files for papers (XChart through VectorGraphics2D): per device
 * accuracy against every configured objective and against latency and energy, the hypervolume
 * over evaluations, and the strategy's trajectory when it has one.
 */
public final class Figures {

    /** The vector formats written. */
    public enum Format {
        SVG(VectorGraphicsEncoder.VectorGraphicsFormat.SVG, "svg"),
        PDF(VectorGraphicsEncoder.VectorGraphicsFormat.PDF, "pdf");

        private final VectorGraphicsEncoder.VectorGraphicsFormat format;
        private final String extension;

        Format(VectorGraphicsEncoder.VectorGraphicsFormat format, String extension) {
            this.format = format;
            this.extension = extension;
        }
    }

    /** The folder of a run the figures go to. */
    public static final String DIR = "figures";
    private static final Color ALL = new Color(150, 150, 150, 110);
    private static final Color FRONT = new Color(200, 40, 40);

    private Figures() {
    }

    /** Writes every chart of the run under {@code dir/figures} and returns the files, in order. */
    public static List<Path> write(RunSetup setup, Path dir, List<Evaluation> evaluations,
            Map<String, List<Evaluation>> fronts, Format format) {
        Map<String, XYChart> charts = new LinkedHashMap<>();
        for (DeviceObjectives d : DeviceObjectives.of(setup.config())) {
            List<Evaluation> admitted = evaluations.stream().filter(d::admits).toList();
            List<String> metrics = new ArrayList<>(d.metrics());
            for (String m : List.of(Metric.LATENCY_MS.key(), Metric.ENERGY_MJ.key())) {
                if (!metrics.contains(m)) {
                    metrics.add(m);
                }
            }
            for (String m : metrics) {
                charts.put(d.device() + "-accuracy-vs-" + m, scatter(d, Metric.of(m), admitted, fronts.get(d.device())));
            }
            charts.put(d.device() + "-hypervolume", progress(d, evaluations));
        }
        XYChart trajectory = trajectory(ReportData.strategy(dir));
        if (trajectory != null) {
            charts.put("strategy-trajectory", trajectory);
        }
        List<Path> out = new ArrayList<>();
        try {
            Path folder = Files.createDirectories(dir.resolve(DIR));
            for (Map.Entry<String, XYChart> c : charts.entrySet()) {
                Path file = folder.resolve(c.getKey() + "." + format.extension);
                Path tmp = folder.resolve("." + c.getKey() + ".tmp");
                VectorGraphicsEncoder.saveVectorGraphic(c.getValue(), tmp.toString(), format.format);
                // the encoder appends the extension to the name it is given
                Path written = folder.resolve(tmp.getFileName() + "." + format.extension);
                Files.move(written, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                out.add(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the figures under " + dir.resolve(DIR), e);
        }
        return out;
    }

    static XYChart scatter(DeviceObjectives d, Metric m, List<Evaluation> allRaw, List<Evaluation> frontRaw) {
        String metric = d.metric(m);
        // evaluations without the metric (unknown energy) have no point to plot
        List<Evaluation> all = allRaw.stream().filter(e -> Double.isFinite(e.metric(metric))).toList();
        List<Evaluation> front = frontRaw.stream().filter(e -> Double.isFinite(e.metric(metric))).toList();
        XYChart chart = new XYChartBuilder().width(560).height(400).title(d.device() + ": accuracy vs " + m.label())
                .xAxisTitle(m.label()).yAxisTitle("accuracy").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        if (!all.isEmpty()) {
            XYSeries s = chart.addSeries("evaluated (" + all.size() + ")", values(all, metric), values(all, "accuracy"));
            s.setMarkerColor(ALL);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        if (!front.isEmpty()) {
            List<Evaluation> sorted = new ArrayList<>(front);
            sorted.sort(Comparator.comparingDouble(e -> e.metric(metric)));
            XYSeries f = chart.addSeries("Pareto set (" + front.size() + ")", values(sorted, metric),
                    values(sorted, "accuracy"));
            f.setMarkerColor(FRONT);
            f.setLineColor(FRONT);
            f.setMarker(SeriesMarkers.DIAMOND);
            if (m.key().equals(d.metrics().get(0))) {
                f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
                f.setLineStyle(new BasicStroke(1.2f));
            }
        }
        return chart;
    }

    static XYChart progress(DeviceObjectives d, List<Evaluation> evaluations) {
        double[] ys = Hypervolumes.progress(d, evaluations);
        double[] xs = new double[ys.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i + 1;
        }
        XYChart chart = new XYChartBuilder().width(560).height(400)
                .title(d.device() + ": hypervolume over evaluations").xAxisTitle("evaluations")
                .yAxisTitle("hypervolume (normalised, accuracy x " + d.metrics().get(0) + ")").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(false);
        if (xs.length > 0) {
            chart.addSeries("hypervolume", xs, ys).setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /** NetAdapt's trajectory (accuracy vs latency per iteration), or null when the strategy has none. */
    static XYChart trajectory(JsonNode report) {
        JsonNode rows = report.path("trajectory");
        if (!rows.isArray() || rows.isEmpty()) {
            return null;
        }
        double[] xs = new double[rows.size()];
        double[] ys = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            xs[i] = rows.get(i).path("latency").asDouble();
            ys[i] = rows.get(i).path("accuracy").asDouble();
        }
        XYChart chart = new XYChartBuilder().width(560).height(400).title("trajectory: accuracy vs latency")
                .xAxisTitle(report.path("metric").asText()).yAxisTitle("short-term accuracy").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(false);
        XYSeries s = chart.addSeries("trajectory", xs, ys);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(FRONT);
        s.setMarkerColor(FRONT);
        return chart;
    }

    private static double[] values(List<Evaluation> list, String metric) {
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i).metric(metric);
        }
        return out;
    }

    /** The format named {@code name} (svg or pdf, any case). */
    public static Format format(String name) {
        for (Format f : Format.values()) {
            if (f.extension.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("--figures " + name + " is not allowed; expected svg or pdf");
    }
}
