package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.agent.device.AgentBinding;
import io.hwnas.experiments.report.ComparePage;
import io.hwnas.experiments.report.Figures;
import io.hwnas.experiments.run.RunView;
import io.hwnas.experiments.run.Runner;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.study.PairedFronts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas report DIR [--figures svg|pdf]}: rebuilds a run's Pareto sets, model cards and
 * report from its journal, and optionally writes each chart as a vector file;
 * {@code hwnas report --compare DIR... [--against DIR...] [--out FILE]} compares runs' fronts on one page, and
 * with {@code --against} two arms of runs paired by seed.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild report.html (and the Pareto sets and model cards) of a run from its journal, or"
                + " compare several runs (--compare).")
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = "the run directory (several with --compare)")
    List<Path> dirs;

    @Option(names = "--compare", description = "compare the runs' Pareto sets per device, with a hypervolume table")
    boolean compare;

    @Option(names = "--out", paramLabel = "FILE", description = "with --compare: the page to write (compare.html)")
    Path out;

    @Option(names = "--json", description = "with --compare: print each run's hypervolume per device (and the page)"
            + " as one JSON object on stdout")
    boolean json;

    @Option(names = "--against", paramLabel = "RUN_DIR", arity = "1..*", description = "with --compare: a second"
            + " arm of runs paired in order with RUN_DIR... (same seeds); per device, each pair's hypervolumes within"
            + " the pair's bounds and a paired t-test over the pairs")
    List<Path> against;

    @Option(names = "--reference-margin", paramLabel = "M", description = "with --compare: the hypervolume's"
            + " reference point lies M of each range beyond the worst member (default 0.001; 0.1 lets the extreme"
            + " members count)")
    Double margin;

    @Option(names = "--accuracy", paramLabel = "KIND", description = "with --compare: validation (the accuracy the"
            + " searches ranked by, the default) or test (each member's exported model's test top-1 in ONNX Runtime,"
            + " as `hwnas export RUN_DIR` records it in models/<device>/<k>/test-top1.json; runs of other spaces"
            + " compare when every member was measured on the same test split)")
    ComparePage.Accuracy accuracy;

    @Option(names = "--figures", paramLabel = "FORMAT",
            description = "also write each chart as a vector file under RUN_DIR/figures: svg or pdf")
    String figures;

    @Override
    public Integer call() {
        if (compare) {
            if (figures != null) {
                throw new UsageException("--figures applies to one run's report, not to --compare");
            }
            return compare();
        }
        if (json || against != null || margin != null || accuracy != null) {
            throw new UsageException((json ? "--json" : against != null ? "--against" : margin != null
                    ? "--reference-margin" : "--accuracy") + " applies to --compare only");
        }
        if (dirs.size() != 1 || out != null) {
            throw new UsageException(dirs.size() != 1 ? "report takes one RUN_DIR; give --compare to compare "
                    + dirs.size() + " runs" : "--out applies to --compare only (a run's report is RUN_DIR/report.html)");
        }
        Path dir = dirs.get(0);
        Figures.Format format = figures == null ? null : Figures.format(figures);
        if (!Files.isRegularFile(dir.resolve("config.yaml"))) {
            throw new UsageException(dir + " is not a run directory: it has no config.yaml");
        }
        RunView.checkJournal(dir);
        RunSetup setup = RunSetup.load(dir.resolve("config.yaml"), AgentBinding.of(dir));
        Path report = Runner.rebuild(setup, dir, w -> spec.commandLine().getErr().println("warning: " + w));
        spec.commandLine().getErr().println("report: " + report);
        if (format != null) {
            RunView view = RunView.read(setup, dir, false);
            for (Path f : Figures.write(setup, dir, view.evaluations(), view.fronts(), format)) {
                spec.commandLine().getErr().println("figure: " + f);
            }
        }
        return 0;
    }

    private int compare() {
        double m = margin == null ? ComparePage.DEFAULT_MARGIN : margin;
        if (!(m >= 0 && m <= 10)) {
            throw new UsageException("--reference-margin " + margin + " is not allowed; expected a number from 0 to 10"
                    + " (a share of each objective's range)");
        }
        List<Path> all = new ArrayList<>(dirs);
        if (against != null) {
            all.addAll(against);
        }
        ComparePage.Accuracy kind = accuracy == null ? ComparePage.Accuracy.validation : accuracy;
        List<PairedFronts> paired = against == null ? List.of() : PairedFronts.of(dirs, against, m, kind);
        ComparePage.Comparison c = ComparePage.write(all, out == null ? Path.of("compare.html") : out, m, kind);
        spec.commandLine().getErr().println("comparison of " + all.size() + " runs: " + c.page());
        paired.forEach(p -> spec.commandLine().getErr().println("paired by seed, " + p.summary()));
        if (json) {
            ObjectNode o = c.data().objectNode();
            o.put("page", c.page().toString());
            o.put("reference_margin", m);
            o.put("accuracy", kind.name());
            ArrayNode runs = o.putArray("runs");
            for (JsonNode r : c.data().path("runs")) {
                runs.add(((ObjectNode) r.deepCopy()).without("fronts"));
            }
            if (against != null) {
                ArrayNode ps = o.putArray("paired");
                paired.forEach(p -> ps.add(Json.MAPPER.valueToTree(p.toMap())));
            }
            Json.print(spec.commandLine().getOut(), o);
        }
        return 0;
    }
}
