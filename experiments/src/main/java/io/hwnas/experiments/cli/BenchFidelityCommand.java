package io.hwnas.experiments.cli;

import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.study.FidelityStudy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
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

/**
 * {@code hwnas bench fidelity}: successive halving (or Hyperband) against a flat schedule with the
 * same training steps over the same candidates, each run's best candidate retrained standalone.
 */
@Command(name = "fidelity", mixinStandardHelpOptions = true,
        description = "Multi-fidelity vs a flat schedule with the same training steps; best candidates retrained.")
final class BenchFidelityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "a config with accuracy.fidelity, e.g. "
            + "examples/multi-fidelity-fashion-mnist.yaml")
    Path config;

    @Option(names = "--out", description = "where the runs go (default: a new temporary directory)")
    Path out;

    @Option(names = "--seeds", description = "seeds: the config's seed and the next ones (default ${DEFAULT-VALUE})")
    int seeds = 3;

    @Option(names = "--retrain-steps", description = "steps of the standalone retraining (default: max_steps)")
    Integer retrainSteps;

    @Option(names = "--threads", description = "intra-op CPU threads of training (default ${DEFAULT-VALUE})")
    int threads = 1;

    @Option(names = "--quiet", description = "no progress display")
    boolean quiet;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (seeds <= 0 || threads <= 0 || (retrainSteps != null && retrainSteps <= 0)) {
            throw new UsageException("--seeds, --threads and --retrain-steps must be positive, but were " + seeds
                    + ", " + threads + " and " + retrainSteps);
        }
        ExperimentConfig c = ConfigLoader.load(config);
        if (c.fidelity() == null) {
            throw new UsageException(config + ": accuracy.fidelity is missing; bench fidelity compares it with a flat "
                    + "schedule (e.g. examples/multi-fidelity-fashion-mnist.yaml)");
        }
        Path dir;
        try {
            dir = out != null ? out.toAbsolutePath().normalize() : Files.createTempDirectory("hwnas-bench-fidelity");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
        DjlRuntime.setThreads(threads);
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> r = FidelityStudy.run(c, dir, seeds, retrainSteps,
                cfg -> new Progress(System.err, quiet, cfg.budget(), DeviceObjectives.of(cfg)), line -> {
                    if (!quiet) {
                        err.println(line);
                        err.flush();
                    }
                });
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            Json.print(o, r);
        } else {
            text(o, r, dir);
        }
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void text(PrintWriter o, Map<String, Object> r, Path dir) {
        o.printf(Locale.ROOT, "multi-fidelity %s vs flat, same training steps; best candidates retrained %s steps; "
                + "runs under %s%n", r.get("fidelity"), r.get("retrain_steps"), dir);
        o.printf("%6s %10s %10s %11s %11s %12s %12s  %s%n", "seed", "mf steps", "flat steps", "mf search",
                "flat search", "mf retrained", "flat retrained", "pool");
        for (Map<String, Object> s : (List<Map<String, Object>>) r.get("seeds")) {
            o.printf(Locale.ROOT, "%6s %10s %10s %11.2f %11.2f %12.2f %12.2f  %s%n", s.get("seed"),
                    s.get("fidelity_total_steps"), s.get("flat_total_steps"), s.get("fidelity_best_search_top1"),
                    s.get("flat_best_search_top1"), s.get("fidelity_best_retrained_top1"),
                    s.get("flat_best_retrained_top1"), Boolean.TRUE.equals(s.get("same_pool")) ? "same" : "DIFFERENT");
        }
        o.printf(Locale.ROOT, "multi-fidelity better on %s of %d seeds; holds (at least 2 of 3): %s%n",
                r.get("fidelity_wins"), ((List<?>) r.get("seeds")).size(), r.get("holds"));
        o.flush();
    }
}
