package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.study.TimedSearch;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas bench search}: whole searches as a user runs them, each {@code hwnas search} in a JVM of its own,
 * timed from start to exit with its peak RSS; with {@code --against}, a second config in alternating pairs (e.g.
 * the quick start on the local executor and on Slurm), the ratio of the median wall times and whether each pair
 * wrote the same Pareto sets.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Wall time and peak RSS of whole searches (each in its own process); with --against, two "
                + "configs side by side in alternating pairs, their wall-time ratio and whether their Pareto sets "
                + "are identical.")
final class BenchSearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "the search config (the baseline with --against)")
    Path config;

    @Option(names = "--against", description = "a second config run side by side with --config (e.g. the same "
            + "search on another executor)")
    Path against;

    @Option(names = "--pairs", defaultValue = "3", description = "rounds; with --against every other round runs "
            + "--against first (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--budget", description = "override both configs' budget")
    Integer budget;

    @Option(names = "--limit-seconds", defaultValue = "3600", description = "stop a search that runs longer "
            + "(default: ${DEFAULT-VALUE})")
    long limitSeconds;

    @Option(names = "--out", description = "write the run directories under this folder and keep them (default: a "
            + "temporary folder, deleted at the end)")
    Path out;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (pairs <= 0 || limitSeconds <= 0 || (budget != null && budget <= 0)) {
            throw new UsageException("--pairs, --limit-seconds and --budget must be positive, but were " + pairs
                    + ", " + limitSeconds + " and " + (budget == null ? "not set" : budget));
        }
        List<Path> configs = against == null ? List.of(config) : List.of(config, against);
        for (Path c : configs) {
            ConfigLoader.load(c); // a bad config exits 2 here, naming its file and field, before any run
        }
        Path work = out == null ? tempDir() : createdFolder(out);
        List<List<TimedSearch>> runs = new ArrayList<>();
        configs.forEach(c -> runs.add(new ArrayList<>()));
        List<Boolean> identical = new ArrayList<>();
        PrintWriter err = spec.commandLine().getErr();
        for (int p = 0; p < pairs; p++) {
            TimedSearch[] pair = new TimedSearch[configs.size()];
            for (int k = 0; k < configs.size(); k++) {
                int which = p % 2 == 0 ? k : configs.size() - 1 - k; // alternate the order: drift hits both alike
                Path dir = work.resolve((which == 0 ? "config" : "against") + "-" + (p + 1));
                pair[which] = TimedSearch.run(command(configs.get(which), dir), dir, limitSeconds);
                err.printf(Locale.ROOT, "round %d: %-40s %7.1f s, peak RSS %6.0f MiB%n", p + 1,
                        configs.get(which), pair[which].wallSeconds(), pair[which].peakRssMb());
                err.flush();
            }
            for (int k = 0; k < configs.size(); k++) {
                runs.get(k).add(pair[k]);
            }
            if (against != null) {
                identical.add(pair[0].sameParetoSets(pair[1]));
            }
        }
        ObjectNode root = Json.object();
        root.put("pairs", pairs);
        root.put("rss_poll_ms", TimedSearch.POLL_MS);
        double[] medians = new double[configs.size()];
        for (int k = 0; k < configs.size(); k++) {
            medians[k] = summary(root.putObject(k == 0 ? "config" : "against"), configs.get(k), runs.get(k));
        }
        if (against != null) {
            root.put("wall_ratio", medians[1] / medians[0]);
            ArrayNode same = root.putArray("pareto_identical");
            identical.forEach(same::add);
        }
        if (out != null) {
            root.put("run_directories", work.toString());
        } else {
            deleteTree(work);
        }
        print(root, medians, identical);
        return 0;
    }

    /** Fills one config's figures; returns its median wall time. */
    private static double summary(ObjectNode o, Path file, List<TimedSearch> runs) {
        double[] wall = runs.stream().mapToDouble(TimedSearch::wallSeconds).toArray();
        double[] rss = runs.stream().mapToDouble(TimedSearch::peakRssMb).toArray();
        o.put("file", file.toString());
        ArrayNode w = o.putArray("wall_s");
        Arrays.stream(wall).forEach(w::add);
        ArrayNode r = o.putArray("peak_rss_mib");
        Arrays.stream(rss).forEach(r::add);
        double median = new Median().evaluate(wall);
        o.put("median_wall_s", median);
        o.put("median_peak_rss_mib", new Median().evaluate(rss));
        o.put("max_peak_rss_mib", Arrays.stream(rss).max().orElse(Double.NaN));
        return median;
    }

    private void print(ObjectNode root, double[] medians, List<Boolean> identical) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, root);
        } else {
            out.printf(Locale.ROOT, "%s: median %.1f s, peak RSS median %.0f MiB (max %.0f)%n", config, medians[0],
                    root.path("config").path("median_peak_rss_mib").asDouble(),
                    root.path("config").path("max_peak_rss_mib").asDouble());
            if (against != null) {
                out.printf(Locale.ROOT, "%s: median %.1f s, peak RSS median %.0f MiB (max %.0f)%n", against,
                        medians[1], root.path("against").path("median_peak_rss_mib").asDouble(),
                        root.path("against").path("max_peak_rss_mib").asDouble());
                out.printf(Locale.ROOT, "wall-time ratio %.2f (medians of %d alternating pairs); Pareto sets "
                        + "identical in %d of %d pairs%n", medians[1] / medians[0], pairs,
                        identical.stream().filter(b -> b).count(), identical.size());
            }
        }
        out.flush();
    }

    /** {@code hwnas search} in a new JVM on this one's class path, writing its run to {@code dir}. */
    private List<String> command(Path file, Path dir) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HwnasCli.class.getName(), "search", "--config",
                file.toString(), "--out", dir.toString(), "--quiet"));
        if (budget != null) {
            cmd.addAll(List.of("--budget", budget.toString()));
        }
        return cmd;
    }

    /** Deletes the bench's own temporary folder; what cannot be deleted stays (and is said). */
    private void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            spec.commandLine().getErr().println("bench search: could not delete all of " + root + ": " + e);
        }
    }

    private static Path createdFolder(Path dir) {
        try {
            if (Files.exists(dir) && !isEmptyFolder(dir)) {
                throw new UsageException("--out " + dir + " must be a new or empty folder");
            }
            return Files.createDirectories(dir).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isEmptyFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("hwnas-bench-search");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
