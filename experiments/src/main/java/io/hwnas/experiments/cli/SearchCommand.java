package io.hwnas.experiments.cli;

import io.hwnas.cost.CostModels;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.experiments.config.ConfigException;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.run.CostModelTarget;
import io.hwnas.experiments.run.DeviceObjectives;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.run.RunSetup;
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

    /** Binds each device while the config is read, so that device problems join the config's other problems. */
    static final ConfigLoader.DeviceCheck DEVICES = d -> deviceBinder().bind(d);

    /** The production device binder: catalog profiles (or files) with their cost models and calibrations. */
    public static RunSetup.DeviceBinder deviceBinder() {
        return spec -> {
            DeviceProfile profile = DeviceCatalog.get(spec.profile());
            if (spec.calibration() != null) {
                if (!Files.isRegularFile(spec.calibration())) {
                    throw new IllegalArgumentException("calibration file " + spec.calibration() + " does not exist");
                }
                profile = profile.withCalibration(spec.calibration());
            }
            String model = spec.model() == null ? profile.defaultModel() : spec.model();
            return new CostModelTarget(spec, profile, CostModels.get(model));
        };
    }

    @Override
    public Integer call() {
        if (config == null && resume == null) {
            throw new UsageException("give --config FILE (a new run) or --resume DIR (continue a run)");
        }
        ExperimentConfig c;
        Path dir;
        if (resume != null) {
            Path saved = resume.resolve("config.yaml");
            if (!Files.isRegularFile(saved)) {
                throw new UsageException(resume + " is not a run directory: it has no config.yaml");
            }
            c = ConfigLoader.load(saved, DEVICES);
            if (config != null) {
                ExperimentConfig given = ConfigLoader.load(config);
                String a = ConfigWriter.yaml(given.withOutput(c.output()));
                if (!a.equals(ConfigWriter.yaml(c))) {
                    throw new UsageException("--config " + config + " differs from the config of the run in " + resume
                            + "; resume with --resume alone or start a new run");
                }
            }
            dir = resume;
        } else {
            c = ConfigLoader.load(config, DEVICES);
            if (out != null) {
                c = c.withOutput(out.toAbsolutePath().normalize());
            }
            dir = c.output();
        }
        if (executor != null) {
            if (!ConfigLoader.EXECUTORS.contains(executor)) {
                throw new UsageException("--executor " + executor + " is not allowed; expected one of "
                        + ConfigLoader.EXECUTORS);
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
        RunSetup setup = RunSetup.bind(c, deviceBinder());
        Progress progress = new Progress(System.err, quiet, c.budget(), DeviceObjectives.of(c));
        Runner.Result r = new Runner(setup, dir, progress).run(resume != null);
        summary(spec.commandLine().getErr(), r);
        return 0;
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
