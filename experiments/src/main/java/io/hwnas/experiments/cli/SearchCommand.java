package io.hwnas.experiments.cli;

import io.hwnas.experiments.agent.device.AgentBinding;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.config.Problems;
import io.hwnas.experiments.exec.ExecutorPlugins;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.run.Runner;
import io.hwnas.search.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas search}: runs (or resumes) a config-driven multi-device search. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Run a search from a config file and write per-device Pareto sets, models and a report.")
public final class SearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "the experiment config (YAML or JSON)")
    Path config;

    @Option(names = "--out", description = "the run directory (default: the config's output, runs/<name>)")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run in DIR (after a crash or kill)")
    Path resume;

    @Option(names = "--executor", description = "override the config's executor: local or slurm")
    String executor;

    @Option(names = "--quiet", description = "no progress display (batch jobs)")
    boolean quiet;

    @Option(names = "--budget", description = "override the config's budget (e.g. a quick smoke run of a config)")
    Integer budget;

    @Option(names = "--force", description = "write a new run into --out even when it is a non-empty folder that is "
            + "not a run")
    boolean force;

    @Override
    public Integer call() {
        if (config == null && resume == null) {
            throw new UsageException("give --config FILE (a new run) or --resume DIR (continue a run)");
        }
        Path file = resume != null ? resume.resolve("config.yaml") : config;
        if (resume != null && !Files.isRegularFile(file)) {
            throw new UsageException(resume + " is not a run directory: it has no config.yaml");
        }
        // the file's problems and its binding problems are reported together
        Problems problems = new Problems(file.toString());
        ExperimentConfig c = ConfigLoader.read(file, problems);
        if (resume != null) {
            problems.throwIfAny(); // the run's own config: checked when the run started
            requireSameConfig(c);
        } else if (out != null) {
            c = c.withOutput(out.toAbsolutePath().normalize());
        }
        c = overridden(c);
        Path dir = resume != null ? resume : c.output();
        RunSetup setup = RunSetup.bind(c, AgentBinding.of(dir), problems);
        Progress progress = new Progress(System.err, quiet, c.budget(), DeviceObjectives.of(c));
        Runner.Result r = new Runner(setup, dir, progress).force(force).run(resume != null);
        summary(spec.commandLine().getErr(), r);
        return 0;
    }

    /** A --config given with --resume must be the run's own. */
    private void requireSameConfig(ExperimentConfig saved) {
        if (config == null) {
            return;
        }
        ExperimentConfig given = ConfigLoader.load(config);
        if (!ConfigWriter.yaml(given.withOutput(saved.output())).equals(ConfigWriter.yaml(saved))) {
            throw new UsageException("--config " + config + " differs from the config of the run in " + resume
                    + "; resume with --resume alone or start a new run");
        }
    }

    /** The config with the command line's --executor and --budget. */
    private ExperimentConfig overridden(ExperimentConfig c) {
        if (executor != null) {
            if (!ExecutorPlugins.registry().contains(executor)) {
                throw new UsageException("--executor " + executor + " is not allowed; expected one of "
                        + ExecutorPlugins.registry().names());
            }
            c = c.withExecutor(executor);
        }
        if (budget != null) {
            if (resume != null) {
                throw new UsageException("--budget cannot change the budget of a run being resumed");
            }
            if (budget <= 0) {
                throw new UsageException("--budget must be a positive integer, but was " + budget);
            }
            c = c.withBudget(budget);
        }
        return c;
    }

    private static void summary(PrintWriter err, Runner.Result r) {
        err.printf(Locale.ROOT, "%d evaluations (%d from the journal); run directory %s%n", r.evaluations(),
                r.fromJournal(), r.dir());
        for (Map.Entry<String, List<Evaluation>> e : r.fronts().entrySet()) {
            List<Evaluation> f = e.getValue();
            err.printf(Locale.ROOT, "  %-14s %2d Pareto members -> pareto/%s.json, models/%s/%n", e.getKey(), f.size(),
                    e.getKey(), e.getKey());
        }
        err.printf("report: %s%n", r.dir().resolve("report.html"));
        err.flush();
    }
}
