package io.hwnas.experiments.cli;

import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.study.NetAdaptStudy;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.setup.DeviceBinding;
import io.hwnas.experiments.setup.RunSetup;
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
 * {@code hwnas bench netadapt}: NetAdapt's final network against the start network scaled
 * uniformly to the same (or lower) predicted latency, both trained over several seeds.
 */
@Command(name = "netadapt", mixinStandardHelpOptions = true,
        description = "NetAdapt vs uniform width scaling at the same predicted latency (trajectory, accuracy per seed).")
final class BenchNetadaptCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "a netadapt config, e.g. examples/netadapt.yaml")
    Path config;

    @Option(names = "--out", description = "the run directory of the search (default: a new temporary directory)")
    Path out;

    @Option(names = "--budget", description = "override the config's evaluation budget")
    Integer budget;

    @Option(names = "--seeds", description = "final-training seeds per network (default ${DEFAULT-VALUE})")
    int seeds = 3;

    @Option(names = "--final-steps", description = "final-training steps (default: the config's final_training, "
            + "else its accuracy options)")
    Integer finalSteps;

    @Option(names = "--threads", description = "intra-op CPU threads of training (default ${DEFAULT-VALUE}: on a small "
            + "or shared machine more threads make short trainings many times slower)")
    int threads = 1;

    @Option(names = "--quiet", description = "no progress display")
    boolean quiet;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (seeds <= 0) {
            throw new UsageException("--seeds must be positive, but was " + seeds);
        }
        if (threads <= 0) {
            throw new UsageException("--threads must be positive, but was " + threads);
        }
        if (finalSteps != null && finalSteps <= 0) {
            throw new UsageException("--final-steps must be positive, but was " + finalSteps);
        }
        ExperimentConfig c = ConfigLoader.load(config);
        if (budget != null) {
            if (budget <= 0) {
                throw new UsageException("--budget must be a positive integer, but was " + budget);
            }
            c = c.withBudget(budget);
        }
        if (!c.strategy().name().equals("netadapt")) {
            throw new UsageException(config + ": strategy.name is " + c.strategy().name()
                    + "; bench netadapt needs a netadapt config (e.g. examples/netadapt.yaml)");
        }
        Path dir;
        try {
            dir = out != null ? out.toAbsolutePath().normalize() : Files.createTempDirectory("hwnas-bench-netadapt");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary run directory", e);
        }
        c = c.withOutput(dir);
        RunSetup setup = RunSetup.bind(c, DeviceBinding.catalog());
        DjlRuntime.setThreads(threads);
        Progress progress = new Progress(System.err, quiet, c.budget(), DeviceObjectives.of(c));
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> r = NetAdaptStudy.run(setup, dir, seeds, finalSteps, progress, line -> {
            if (!quiet) {
                err.println(line);
                err.flush();
            }
        });
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            Json.print(o, r);
        } else {
            text(o, r);
        }
        return 0;
    }

    /** One line of a paired comparison's JSON map (mean difference, sd, t, df, p, seeds). */
    static String paired(Object figures) {
        Map<?, ?> m = (Map<?, ?>) figures;
        Object p = m.get("p_value");
        return String.format(Locale.ROOT, "mean difference %+.2f points, sd %s, paired t(%s) = %s, p = %s, %s seeds: %s",
                m.get("mean_difference"), num(m.get("sd_difference"), "%.2f"), m.get("df"), num(m.get("t"), "%.2f"),
                num(p, "%.4f"), m.get("seeds"), p == null ? "p undefined (fewer than 2 seeds or no spread)"
                        : Boolean.TRUE.equals(m.get("significant_at_0.05")) ? "significant at 0.05"
                        : "NOT significant at 0.05");
    }

    private static String num(Object v, String format) {
        return v == null ? "undefined" : String.format(Locale.ROOT, format, v);
    }

    @SuppressWarnings("unchecked")
    private static void text(PrintWriter o, Map<String, Object> r) {
        o.printf(Locale.ROOT, "NetAdapt trajectory (%s; stop: %s), run directory %s%n", r.get("metric"), r.get("stop"),
                r.get("run_dir"));
        o.printf("%4s %10s %10s %9s  %-28s %s%n", "iter", "target", "latency", "accuracy", "shrunk", "architecture");
        for (Map<String, Object> t : (List<Map<String, Object>>) r.get("trajectory")) {
            o.printf(Locale.ROOT, "%4d %10.4f %10.4f %9.2f  %-28s %s%n", t.get("iteration"), t.get("target"),
                    t.get("latency"), t.get("accuracy"), t.get("shrunk"), t.get("arch"));
        }
        for (String arm : List.of("netadapt", "uniform", "uniform_wider")) {
            Map<String, Object> a = (Map<String, Object>) r.get(arm);
            if (a == null) {
                continue;
            }
            o.printf(Locale.ROOT, "%-8s %s latency %.4f top-1 %s mean %.2f sd %.2f%s%n", arm, a.get("arch"),
                    a.get("latency"), a.get("top1"), a.get("top1_mean"), a.get("top1_sd"),
                    arm.equals("uniform_wider") ? " (scale " + a.get("scale") + ", the next wider)"
                    : arm.equals("uniform") ? " (scale " + a.get("scale") + (Boolean.TRUE.equals(a.get("matched")) ? ""
                            : ", NOT matched: even the narrowest uniform scale is slower") + ")" : "");
        }
        o.printf(Locale.ROOT, "netadapt - uniform: %+.2f points (netadapt >= uniform on %s of %d seeds); holds: %s%n",
                r.get("netadapt_minus_uniform_mean"), r.get("netadapt_wins"), ((List<?>) r.get("seeds")).size(),
                r.get("holds"));
        o.printf("netadapt - uniform, paired: %s%n", paired(r.get("paired")));
        if (r.get("uniform_at_netadapt_latency") instanceof Map<?, ?> same) {
            o.printf(Locale.ROOT, "uniform interpolated to NetAdapt's latency: top-1 %s mean %.2f; netadapt - it: %+.2f;"
                    + " holds at the same latency: %s%n", same.get("top1"), same.get("top1_mean"),
                    r.get("netadapt_minus_interpolated_mean"), r.get("holds_at_same_latency"));
            o.printf("netadapt - uniform at NetAdapt's latency, paired: %s%n", paired(r.get("paired_at_same_latency")));
        }
        o.flush();
    }
}
