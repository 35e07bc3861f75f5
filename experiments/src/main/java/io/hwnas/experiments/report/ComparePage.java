package io.hwnas.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.pareto.Hypervolume;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.cost.Metric;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code hwnas report --compare}: several runs of one search space on one page, each device's
 * Pareto sets of every run on one chart (accuracy against the device's first objective) and a
 * table of their hypervolumes within the bounds of all the runs' members together. With
 * {@link Accuracy#test}, the accuracy is each member's exported model's test top-1
 * ({@link MemberTestTop1}), and runs of other spaces on the same dataset compare too.
 */
public final class ComparePage {

    /** Which accuracy the fronts are drawn and scored with. */
    public enum Accuracy {
        /** The accuracy the search ranked its candidates by (its estimator's). */
        validation,
        /** Each member's test top-1 in ONNX Runtime, recorded by {@code hwnas export} ({@link MemberTestTop1}). */
        test
    }

    /** Marks a page this class wrote, the only kind of existing file it overwrites. */
    static final String GENERATOR = "<meta name=\"generator\" content=\"hwnas report --compare\">";

    /** One run's fronts: per device, its members as (first objective, accuracy, architecture). */
    record Run(String name, Path dir, ExperimentConfig config, Map<String, List<Member>> fronts,
            List<MemberTestTop1> tested) {
    }

    record Member(double cost, double accuracy, String arch) {
    }

    /**
     * The default reference margin: the hypervolume's reference point lies this share of each objective's range
     * beyond the worst member of the compared fronts, so the extreme members add almost nothing.
     */
    public static final double DEFAULT_MARGIN = 0.001;

    private ComparePage() {
    }

    /**
     * Writes the comparison of {@code dirs} to {@code out}, the hypervolumes' reference point {@code margin} of
     * each range beyond the worst member, the fronts drawn and scored with {@code accuracy}.
     *
     * @throws IllegalArgumentException naming the run and file when a run directory is incomplete, the runs search
     *         different spaces (with {@link Accuracy#test}: members measured on different test splits, or a member
     *         has no test top-1), or {@code out} is a file this command did not write
     */
    public static Comparison write(List<Path> dirs, Path out, double margin, Accuracy accuracy) {
        if (dirs.size() < 2) {
            throw new IllegalArgumentException("--compare needs at least two run directories; got " + dirs.size());
        }
        List<Run> runs = readAll(dirs, accuracy);
        checkOut(out);
        Map<String, String> devices = devices(runs);
        ObjectNode data = data(runs, devices, margin);
        data.put("accuracy", accuracy.name());
        if (accuracy == Accuracy.test) {
            data.put("test_split", firstTested(runs).map(MemberTestTop1::testSplit).orElse("-"));
        }
        AtomicFiles.writeString(out, ReportPage.html("hwnas compare: " + runs.size() + " runs", data,
                body(runs, devices, data, margin)).replace("<head>", "<head>" + GENERATOR));
        return new Comparison(out, data);
    }

    /**
     * The hypervolume of each run's front per device within the bounds of these runs' members together, as on
     * the page, without writing one.
     *
     * @param dirs   run directories of one search space
     * @param margin the reference point's distance beyond the worst member, as a share of each range
     * @param accuracy the accuracy the fronts are scored with
     * @return per run, in order: its seed and its hypervolume per device (devices whose chart metric is the run's
     *         first objective)
     * @throws IllegalArgumentException as {@link #write(List, Path, double, Accuracy)} does
     */
    public static List<Scored> hypervolumes(List<Path> dirs, double margin, Accuracy accuracy) {
        List<Run> runs = readAll(dirs, accuracy);
        Map<String, String> devices = devices(runs);
        List<Scored> out = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Double> hv = new LinkedHashMap<>();
            devices.forEach((device, metric) -> {
                List<Member> front = charted(r, device, metric);
                if (front != null) {
                    hv.put(device, hypervolume(front, runs, device, margin));
                }
            });
            out.add(new Scored(r.dir(), r.config().seed(), hv));
        }
        return out;
    }

    /** One run's seed and hypervolume per device, from {@link #hypervolumes(List, double, Accuracy)}. */
    public record Scored(Path dir, long seed, Map<String, Double> hypervolume) {
    }

    /** A run's front on a device, or null when it has none or the device's chart plots another metric. */
    private static List<Member> charted(Run r, String device, String metric) {
        List<Member> front = r.fronts().get(device);
        return front != null && r.config().objectives().get(0).equals(metric) ? front : null;
    }

    /**
     * Reads every run and checks that they search one space (with test accuracy: that every member was measured on
     * one test split).
     */
    private static List<Run> readAll(List<Path> dirs, Accuracy accuracy) {
        List<Run> runs = new ArrayList<>();
        for (Path d : dirs) {
            runs.add(read(d, runs.size(), accuracy));
        }
        if (accuracy == Accuracy.test) {
            MemberTestTop1 first = firstTested(runs).orElse(null);
            for (Run r : runs) {
                for (MemberTestTop1 t : r.tested()) {
                    if (!t.testSplit().equals(first.testSplit())) {
                        throw new IllegalArgumentException("--accuracy test compares members measured on one test"
                                + " split: " + first.file() + " was measured on " + first.testSplit() + ", "
                                + t.file() + " on " + t.testSplit());
                    }
                }
            }
            return runs;
        }
        ExperimentConfig.SpaceSpec space = runs.get(0).config().space();
        for (Run r : runs) {
            ExperimentConfig.SpaceSpec s = r.config().space();
            if (!s.name().equals(space.name()) || !baseOptions(s).equals(baseOptions(space))) {
                throw new IllegalArgumentException("--compare needs runs of one search space (their compression"
                        + " sections may differ): " + runs.get(0).dir() + " searched " + space.name() + " "
                        + baseOptions(space) + ", " + r.dir() + " searched " + s.name() + " " + baseOptions(s)
                        + "; --accuracy test compares their exported members on one dataset's test split");
            }
        }
        return runs;
    }

    /** The first member with a test top-1 record, in run and device order. */
    private static java.util.Optional<MemberTestTop1> firstTested(List<Run> runs) {
        return runs.stream().flatMap(r -> r.tested().stream()).findFirst();
    }

    /**
     * A written comparison: the page and its data, whose {@code runs} array holds each run's {@code name},
     * {@code dir}, {@code fronts} (per device, [cost, accuracy, arch] triples) and {@code hypervolume} (per device).
     */
    public record Comparison(Path page, ObjectNode data) {
    }

    /** A space's options without its compression section: runs of one space may compress differently. */
    private static Map<String, Object> baseOptions(ExperimentConfig.SpaceSpec s) {
        Map<String, Object> o = new LinkedHashMap<>(s.options());
        o.remove(CompressedSpace.OPTION);
        return o;
    }

    /** The compression section of a run's space, or "none". */
    private static String compression(ExperimentConfig.SpaceSpec s) {
        Object c = s.options().get(CompressedSpace.OPTION);
        return c == null ? "none" : c.toString();
    }

    private static Run read(Path dir, int index, Accuracy accuracy) {
        Path config = dir.resolve("config.yaml");
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException(dir + " is not a run directory: it has no config.yaml");
        }
        ExperimentConfig c = ConfigLoader.load(config);
        Map<String, List<Member>> fronts = new LinkedHashMap<>();
        List<MemberTestTop1> tested = new ArrayList<>();
        for (ExperimentConfig.DeviceSpec d : c.devices()) {
            Path file = dir.resolve("pareto").resolve(d.name() + ".json");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(file + " is missing (device " + d.name() + " of the run " + dir
                        + "); `hwnas report " + dir + "` rebuilds the Pareto sets from the journal");
            }
            String metric = c.objectives().get(0);
            List<Member> members = new ArrayList<>();
            try {
                int k = 0;
                for (JsonNode m : ReportData.JSON.readTree(file.toFile()).path("members")) {
                    k++;
                    if (m.path(metric).isNumber() && m.path("accuracy").isNumber()) {
                        String arch = m.path("arch").asText();
                        MemberTestTop1 t = accuracy == Accuracy.test ? MemberTestTop1.read(dir, d.name(), k, arch)
                                : null;
                        if (t != null) {
                            tested.add(t);
                        }
                        members.add(new Member(m.path(metric).asDouble(), t != null ? t.top1()
                                : m.path("accuracy").asDouble(), arch));
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(file + " is not a Pareto file: " + e.getMessage(), e);
            }
            fronts.put(d.name(), members);
        }
        String name = (index + 1) + ": " + c.name() + " (" + c.strategy().name() + ", seed " + c.seed() + ")";
        return new Run(name, dir, c, fronts, tested);
    }

    private static void checkOut(Path out) {
        try {
            if (Files.exists(out) && !(Files.isRegularFile(out) && Files.readString(out).contains(GENERATOR))) {
                throw new IllegalArgumentException(out + " exists and is not a comparison page; choose another --out");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(out + " exists and cannot be read: " + e.getMessage(), e);
        }
    }

    /** Every device of any run, with the metric its chart plots (the first run's first objective). */
    private static Map<String, String> devices(List<Run> runs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Run r : runs) {
            for (ExperimentConfig.DeviceSpec d : r.config().devices()) {
                out.putIfAbsent(d.name(), r.config().objectives().get(0));
            }
        }
        return out;
    }

    private static ObjectNode data(List<Run> runs, Map<String, String> devices, double margin) {
        ObjectNode o = ReportData.JSON.createObjectNode().put("kind", "compare").put("reference_margin", margin);
        ArrayNode labels = o.putArray("metrics");
        for (Metric m : Metric.values()) {
            labels.addObject().put("key", m.key()).put("label", m.label());
        }
        ArrayNode devs = o.putArray("devices");
        devices.forEach((name, metric) -> devs.addObject().put("name", name).put("metric", metric));
        ArrayNode rs = o.putArray("runs");
        for (Run r : runs) {
            ObjectNode run = rs.addObject().put("name", r.name()).put("dir", r.dir().toString())
                    .put("compression", compression(r.config().space())).put("budget", r.config().budget());
            ObjectNode fronts = run.putObject("fronts");
            ObjectNode hv = run.putObject("hypervolume");
            for (String device : devices.keySet()) {
                List<Member> front = charted(r, device, devices.get(device));
                if (front == null) {
                    continue;
                }
                ArrayNode pts = fronts.putArray(device);
                front.forEach(m -> pts.addArray().add(m.cost()).add(m.accuracy()).add(m.arch()));
                hv.put(device, ReportData.round(hypervolume(front, runs, device, margin)));
            }
        }
        return o;
    }

    /**
     * The hypervolume of one front, accuracy and cost scaled by the bounds of every run's front on the device to
     * [0, 1 / (1 + margin)], the reference point at 1: {@code margin} of each range beyond the worst member.
     */
    static double hypervolume(List<Member> front, List<Run> runs, String device, double margin) {
        double minA = Double.POSITIVE_INFINITY;
        double maxA = Double.NEGATIVE_INFINITY;
        double minC = Double.POSITIVE_INFINITY;
        double maxC = Double.NEGATIVE_INFINITY;
        for (Run r : runs) {
            for (Member m : r.fronts().getOrDefault(device, List.of())) {
                minA = Math.min(minA, m.accuracy());
                maxA = Math.max(maxA, m.accuracy());
                minC = Math.min(minC, m.cost());
                maxC = Math.max(maxC, m.cost());
            }
        }
        double[][] pts = new double[front.size()][];
        for (int i = 0; i < pts.length; i++) {
            Member m = front.get(i);
            pts[i] = new double[] {scale(m.cost(), minC, maxC) / (1 + margin),
                (1 - scale(m.accuracy(), minA, maxA)) / (1 + margin)};
        }
        return pts.length == 0 ? 0 : Hypervolume.of(pts, new double[] {1, 1});
    }

    private static double scale(double v, double min, double max) {
        return max > min ? (v - min) / (max - min) : 0;
    }

    private static StringBuilder body(List<Run> runs, Map<String, String> devices, ObjectNode data, double margin) {
        boolean test = "test".equals(data.path("accuracy").asText());
        StringBuilder h = new StringBuilder("<h1>hwnas: ").append(runs.size()).append(" runs compared</h1><p>")
                .append(test ? "test top-1 on the test split of <b>" + ReportWriter.esc(data.path("test_split")
                        .asText()) + "</b>"
                        : "space <b>" + ReportWriter.esc(runs.get(0).config().space().name())
                        + "</b> " + ReportWriter.esc(baseOptions(runs.get(0).config().space()))).append("</p><ol>");
        for (Run r : runs) {
            ExperimentConfig.SpaceSpec s = r.config().space();
            h.append("<li><code>").append(ReportWriter.esc(r.dir())).append("</code>: ")
                    .append(ReportWriter.esc(r.name())).append(", ").append(r.config().budget())
                    .append(" evaluations budget")
                    .append(test ? ", space " + ReportWriter.esc(s.name() + " " + baseOptions(s)) : "")
                    .append(", compression ").append(ReportWriter.esc(compression(s))).append("</li>");
        }
        h.append("</ol><h2>Hypervolume</h2><p>Normalised, ").append(test ? "each member's test top-1 (its exported "
                + "model.onnx in ONNX Runtime, as hwnas export recorded it)" : "accuracy").append(" against each"
                + " device's first objective, within the bounds of all the runs' Pareto members on that device, the"
                + " reference point ")
                .append(ReportWriter.fmt(100 * margin)).append("% of each range beyond the worst member (1 is best)."
                + "</p><table id=\"hv-table\"><tr><th class=\"l\">run</th>");
        devices.keySet().forEach(d -> h.append("<th>").append(ReportWriter.esc(d)).append("</th>"));
        h.append("</tr>");
        for (JsonNode r : data.path("runs")) {
            h.append("<tr><td class=\"l\">").append(ReportWriter.esc(r.path("name").asText())).append("</td>");
            for (String d : devices.keySet()) {
                JsonNode v = r.path("hypervolume").path(d);
                h.append("<td>").append(v.isNumber() ? ReportWriter.fmt(v.asDouble()) : "-").append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table><div class=\"charts\">");
        for (int i = 0; i < devices.size(); i++) {
            h.append("<div id=\"compare-").append(i).append("\" class=\"chart compare\"></div>");
        }
        return h.append("</div>");
    }
}
