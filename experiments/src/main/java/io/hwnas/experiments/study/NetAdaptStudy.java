package io.hwnas.experiments.study;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.plugin.PluginOptions;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.core.train.TrainResult;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.run.Runner;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.netadapt.NetAdapt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;

/**
 * NetAdapt against uniform width scaling at the same predicted latency: runs a {@code netadapt}
 * config (a normal run directory, trajectory included), takes NetAdapt's final network, builds the
 * start network with every layer at one channel scale (the widest whose predicted latency, same
 * cost oracle and metric, is at most NetAdapt's), and trains both with the same final-training
 * budget over several seeds.
 */
public final class NetAdaptStudy {

    private final RunSetup setup;
    private final ExperimentConfig c;
    private final MobilenetSpace space;
    private final Consumer<String> log;

    private NetAdaptStudy(RunSetup setup, Consumer<String> log) {
        this.setup = setup;
        this.c = setup.config();
        if (!c.strategy().name().equals("netadapt")) {
            throw new IllegalArgumentException(c.file() + ": strategy.name is " + c.strategy().name()
                    + "; bench netadapt needs a netadapt config (e.g. examples/netadapt.yaml)");
        }
        if (!(setup.space() instanceof MobilenetSpace s)) {
            throw new IllegalArgumentException(c.file() + ": space.name is " + setup.space().name()
                    + "; bench netadapt needs the mobilenet space");
        }
        this.space = s;
        this.log = log;
    }

    /**
     * Runs the study.
     *
     * @param setup      a bound config whose strategy is {@code netadapt} on the {@code mobilenet} space
     * @param dir        the run directory of the search (must not hold a run)
     * @param seeds      final-training seeds (config seed, seed + 1, ...)
     * @param finalSteps steps of the final training, or null for the config's
     * @param progress   the search's progress display
     * @param log        one line per finished training
     * @return the figures, as a JSON-ready map
     */
    public static Map<String, Object> run(RunSetup setup, Path dir, int seeds, Integer finalSteps,
            Progress progress, Consumer<String> log) {
        NetAdaptStudy study = new NetAdaptStudy(setup, log);
        if (seeds <= 0) {
            throw new IllegalArgumentException("seeds must be positive, but was " + seeds);
        }
        long t0 = System.nanoTime();
        Runner.Result search = new Runner(setup, dir, progress).run(false);
        double searchSeconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> report = search.strategyReport();
        String metric = (String) report.get("metric");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> trajectory = (List<Map<String, Object>>) report.get("trajectory");
        Architecture start = study.space.parse((String) trajectory.get(0).get("arch"));
        Arm adapted = study.arm(study.space.parse((String) report.get("final")), metric, Double.NaN);
        Uniform uniform = study.uniform(start, metric, adapted.latency);
        TrainEstimator trainer = study.trainer(finalSteps);
        double trainSeconds = study.train(trainer, seeds, adapted, uniform);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", String.valueOf(study.c.file()));
        out.put("run_dir", dir.toString());
        out.put("metric", metric);
        out.put("initial_latency", report.get("initial_latency"));
        out.put("latency_budget", report.get("latency_budget"));
        out.put("stop", report.get("stop"));
        out.put("evaluations", search.evaluations());
        out.put("trajectory", trajectory);
        out.put("final_training", trainer.options());
        out.put("seeds", study.seedList(seeds));
        out.put("netadapt", adapted.toMap());
        uniform.put(out, metric, adapted);
        out.put("search_s", searchSeconds);
        out.put("final_training_s", trainSeconds);
        return out;
    }

    /** One network of the comparison, its predicted latency and its top-1 per seed. */
    private static final class Arm {
        final Architecture arch;
        final double latency;
        final double scale;
        final List<Double> top1 = new ArrayList<>();

        Arm(Architecture arch, double latency, double scale) {
            this.arch = arch;
            this.latency = latency;
            this.scale = scale;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arch", arch.canonical());
            m.put("latency", latency);
            m.put("top1", List.copyOf(top1));
            m.put("top1_mean", mean(top1));
            m.put("top1_sd", sd(top1));
            return m;
        }
    }

    /**
     * The uniformly scaled start networks: the matched one (the widest at or below NetAdapt's
     * latency, else the narrowest), and the next wider one, with which the uniform accuracy at exactly
     * NetAdapt's latency is interpolated per seed.
     */
    private record Uniform(Arm matched, Arm wider, boolean isMatched, List<Map<String, Object>> scales,
            List<Double> interpolated) {

        void put(Map<String, Object> out, String metric, Arm adapted) {
            List<Double> a = adapted.top1;
            Map<String, Object> un = matched.toMap();
            un.put("scale", matched.scale);
            un.put("matched", isMatched);
            un.put("match_rule", "the widest uniform per-layer channel scale whose predicted " + metric
                    + " is <= NetAdapt's");
            out.put("uniform", un);
            if (wider != null) {
                Map<String, Object> wi = wider.toMap();
                wi.put("scale", wider.scale);
                out.put("uniform_wider", wi);
                Map<String, Object> same = new LinkedHashMap<>();
                same.put("latency", adapted.latency);
                same.put("rule", "per seed, linear in predicted latency between uniform and uniform_wider");
                same.put("top1", List.copyOf(interpolated));
                same.put("top1_mean", mean(interpolated));
                same.put("top1_sd", sd(interpolated));
                out.put("uniform_at_netadapt_latency", same);
                out.put("netadapt_minus_interpolated_mean", mean(a) - mean(interpolated));
                out.put("holds_at_same_latency", mean(a) >= mean(interpolated));
                out.put("paired_at_same_latency",
                        PairedComparison.of(a, interpolated).toMap("netadapt - uniform_at_netadapt_latency"));
            }
            List<Double> u = matched.top1;
            int wins = 0;
            for (int s = 0; s < a.size(); s++) {
                wins += a.get(s) >= u.get(s) ? 1 : 0;
            }
            out.put("uniform_scales", scales);
            out.put("netadapt_minus_uniform_mean", mean(a) - mean(u));
            out.put("netadapt_wins", wins);
            out.put("holds", isMatched && mean(a) >= mean(u));
            out.put("paired", PairedComparison.of(a, u).toMap("netadapt - uniform"));
        }
    }

    private Arm arm(Architecture a, String metric, double scale) {
        return new Arm(a, predict(metric, a), scale);
    }

    private Uniform uniform(Architecture start, String metric, double adaptedLatency) {
        List<Map<String, Object>> scales = new ArrayList<>();
        int n = MobilenetSpace.CHANNEL_SCALES.length;
        Arm[] scaled = new Arm[n];
        int match = -1; // the widest scale at or below NetAdapt's latency
        for (int k = 0; k < n; k++) {
            scaled[k] = arm(NetAdapt.uniformlyScaled(space, start, k), metric, MobilenetSpace.CHANNEL_SCALES[k]);
            scales.add(PluginOptions.ordered("scale", scaled[k].scale, "latency", scaled[k].latency));
            if (match < 0 && scaled[k].latency <= adaptedLatency * (1 + 1e-12)) {
                match = k;
            }
        }
        boolean matched = match >= 0;
        int u0 = matched ? match : n - 1; // unmatched: even the narrowest scale is slower; compare with it, say so
        Arm wider = matched && match >= 1 ? scaled[match - 1] : null;
        return new Uniform(scaled[u0], wider, matched, scales, new ArrayList<>());
    }

    /** The train estimator of the final training (else the search's), with {@code finalSteps} steps. */
    private TrainEstimator trainer(Integer finalSteps) {
        Map<String, Object> options = new LinkedHashMap<>(!c.finalTraining().isEmpty() ? c.finalTraining()
                : c.accuracy().name().equals("train") ? c.accuracy().options() : Map.of());
        options.remove("from"); // the bench trains both arms from scratch
        if (finalSteps != null) {
            if (finalSteps <= 0) {
                throw new IllegalArgumentException("final steps must be positive, but was " + finalSteps);
            }
            options.put("steps", finalSteps);
        }
        // the networks the search costed: the run's input and classes
        return (TrainEstimator) setup.estimator("train", options);
    }

    /** Trains every arm on every seed; returns the seconds spent. */
    private double train(TrainEstimator trainer, int seeds, Arm adapted, Uniform uniform) {
        double seconds = 0;
        for (long seed : seedList(seeds)) {
            seconds += train(trainer, seed, adapted, "netadapt");
            seconds += train(trainer, seed, uniform.matched, "uniform@" + uniform.matched.scale);
            Arm w = uniform.wider;
            if (w != null) {
                seconds += train(trainer, seed, w, "uniform@" + w.scale);
                double t = (adapted.latency - uniform.matched.latency) / (w.latency - uniform.matched.latency);
                double ru = last(uniform.matched.top1);
                uniform.interpolated.add(ru + t * (last(w.top1) - ru));
            }
        }
        return seconds;
    }

    private double train(TrainEstimator trainer, long seed, Arm arm, String label) {
        TrainResult r = trainer.train(space, arm.arch, seed, null);
        log.accept(String.format(Locale.ROOT, "seed %d %s top-1 %.2f%% (%.0f s)", seed, label, r.top1(),
                r.wallSeconds()));
        arm.top1.add(r.top1());
        return r.wallSeconds();
    }

    private List<Long> seedList(int seeds) {
        List<Long> out = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
            out.add(c.seed() + s);
        }
        return out;
    }

    private double predict(String metric, Architecture a) {
        OptionalDouble p = setup.problem().oracle().predict(metric, a);
        if (p.isEmpty()) {
            throw new IllegalStateException("the cost oracle predicts no " + metric + " for " + a.canonical());
        }
        return p.getAsDouble();
    }

    private static double last(List<Double> v) {
        return v.get(v.size() - 1);
    }

    static double mean(List<Double> v) {
        return new Mean().evaluate(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Sample standard deviation (0 for one value). */
    static double sd(List<Double> v) {
        return new StandardDeviation(true).evaluate(v.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
