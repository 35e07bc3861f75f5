package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.core.plugin.PluginOptions;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.core.train.TrainResult;
import io.hwnas.search.netadapt.NetAdapt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * NetAdapt against uniform width scaling at the same predicted latency: runs a {@code netadapt}
 * config (a normal run directory, trajectory included), takes NetAdapt's final network, builds the
 * start network with every layer at one channel scale (the widest whose predicted latency, same
 * cost oracle and metric, is at most NetAdapt's), and trains both with the same final-training
 * budget over several seeds.
 */
public final class NetAdaptBenchmark {

    private NetAdaptBenchmark() {
    }

    /**
     * Runs the benchmark.
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
        var c = setup.config();
        if (!c.strategy().name().equals("netadapt")) {
            throw new IllegalArgumentException(c.file() + ": strategy.name is " + c.strategy().name()
                    + "; bench netadapt needs a netadapt config (e.g. examples/netadapt.yaml)");
        }
        if (!(setup.space() instanceof MobilenetSpace space)) {
            throw new IllegalArgumentException(c.file() + ": space.name is " + setup.space().name()
                    + "; bench netadapt needs the mobilenet space");
        }
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
        Architecture start = space.parse((String) trajectory.get(0).get("arch"));
        Architecture adapted = space.parse((String) report.get("final"));
        double adaptedLatency = predict(setup, metric, adapted);

        List<Map<String, Object>> scales = new ArrayList<>();
        int n = MobilenetSpace.CHANNEL_SCALES.length;
        Architecture[] scaled = new Architecture[n];
        double[] latency = new double[n];
        int match = -1; // the widest scale at or below NetAdapt's latency
        for (int k = 0; k < n; k++) {
            scaled[k] = NetAdapt.uniformlyScaled(space, start, k);
            latency[k] = predict(setup, metric, scaled[k]);
            scales.add(PluginOptions.ordered("scale", MobilenetSpace.CHANNEL_SCALES[k], "latency", latency[k]));
            if (match < 0 && latency[k] <= adaptedLatency * (1 + 1e-12)) {
                match = k;
            }
        }
        boolean matched = match >= 0;
        int u0 = matched ? match : n - 1; // unmatched: even the narrowest scale is slower; compare with it, say so
        Architecture uniform = scaled[u0];
        double uniformScale = MobilenetSpace.CHANNEL_SCALES[u0];
        double uniformLatency = latency[u0];
        // the next wider uniform scale (slower than NetAdapt): with it, the uniform accuracy at exactly
        // NetAdapt's latency is interpolated per seed
        int widerIndex = matched ? match - 1 : -1;
        Architecture wider = widerIndex >= 0 ? scaled[widerIndex] : null;
        double widerLatency = widerIndex >= 0 ? latency[widerIndex] : Double.NaN;

        Map<String, Object> options = new LinkedHashMap<>(!c.finalTraining().isEmpty() ? c.finalTraining()
                : c.accuracy().name().equals("train") ? c.accuracy().options() : Map.of());
        if (finalSteps != null) {
            if (finalSteps <= 0) {
                throw new IllegalArgumentException("final steps must be positive, but was " + finalSteps);
            }
            options.put("steps", finalSteps);
        }
        // the networks the search costed: the run's input and classes
        TrainEstimator trainer = (TrainEstimator) setup.estimator("train", options);
        List<Long> seedList = new ArrayList<>();
        List<Double> a = new ArrayList<>();
        List<Double> u = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        List<Double> at = new ArrayList<>();
        double trainSeconds = 0;
        for (int s = 0; s < seeds; s++) {
            long seed = c.seed() + s;
            seedList.add(seed);
            TrainResult ra = trainer.train(space, adapted, seed, null);
            log.accept(String.format(Locale.ROOT, "seed %d netadapt top-1 %.2f%% (%.0f s)", seed, ra.top1(),
                    ra.wallSeconds()));
            TrainResult ru = trainer.train(space, uniform, seed, null);
            log.accept(String.format(Locale.ROOT, "seed %d uniform@%s top-1 %.2f%% (%.0f s)", seed, uniformScale,
                    ru.top1(), ru.wallSeconds()));
            a.add(ra.top1());
            u.add(ru.top1());
            trainSeconds += ra.wallSeconds() + ru.wallSeconds();
            if (wider != null) {
                TrainResult rw = trainer.train(space, wider, seed, null);
                log.accept(String.format(Locale.ROOT, "seed %d uniform@%s top-1 %.2f%% (%.0f s)", seed,
                        MobilenetSpace.CHANNEL_SCALES[widerIndex], rw.top1(), rw.wallSeconds()));
                w.add(rw.top1());
                double t = (adaptedLatency - uniformLatency) / (widerLatency - uniformLatency);
                at.add(ru.top1() + t * (rw.top1() - ru.top1()));
                trainSeconds += rw.wallSeconds();
            }
        }
        int wins = 0;
        for (int s = 0; s < seeds; s++) {
            wins += a.get(s) >= u.get(s) ? 1 : 0;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", String.valueOf(c.file()));
        out.put("run_dir", dir.toString());
        out.put("metric", metric);
        out.put("initial_latency", report.get("initial_latency"));
        out.put("latency_budget", report.get("latency_budget"));
        out.put("stop", report.get("stop"));
        out.put("evaluations", search.evaluations());
        out.put("trajectory", trajectory);
        out.put("final_training", trainer.options());
        out.put("seeds", seedList);
        out.put("netadapt", arm(adapted, adaptedLatency, a));
        Map<String, Object> un = arm(uniform, uniformLatency, u);
        un.put("scale", uniformScale);
        un.put("matched", matched);
        un.put("match_rule", "the widest uniform per-layer channel scale whose predicted " + metric
                + " is <= NetAdapt's");
        out.put("uniform", un);
        if (wider != null) {
            Map<String, Object> wi = arm(wider, widerLatency, w);
            wi.put("scale", MobilenetSpace.CHANNEL_SCALES[widerIndex]);
            out.put("uniform_wider", wi);
            Map<String, Object> same = new LinkedHashMap<>();
            same.put("latency", adaptedLatency);
            same.put("rule", "per seed, linear in predicted latency between uniform and uniform_wider");
            same.put("top1", List.copyOf(at));
            same.put("top1_mean", mean(at));
            same.put("top1_sd", sd(at));
            out.put("uniform_at_netadapt_latency", same);
            out.put("netadapt_minus_interpolated_mean", mean(a) - mean(at));
            out.put("holds_at_same_latency", mean(a) >= mean(at));
            out.put("paired_at_same_latency",
                    PairedComparison.of(a, at).toMap("netadapt - uniform_at_netadapt_latency"));
        }
        out.put("uniform_scales", scales);
        out.put("netadapt_minus_uniform_mean", mean(a) - mean(u));
        out.put("netadapt_wins", wins);
        out.put("holds", matched && mean(a) >= mean(u));
        out.put("paired", PairedComparison.of(a, u).toMap("netadapt - uniform"));
        out.put("search_s", searchSeconds);
        out.put("final_training_s", trainSeconds);
        return out;
    }

    private static Map<String, Object> arm(Architecture arch, double latency, List<Double> top1) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", arch.canonical());
        m.put("latency", latency);
        m.put("top1", List.copyOf(top1));
        m.put("top1_mean", mean(top1));
        m.put("top1_sd", sd(top1));
        return m;
    }

    private static double predict(RunSetup setup, String metric, Architecture a) {
        OptionalDouble p = setup.problem().oracle().predict(metric, a);
        if (p.isEmpty()) {
            throw new IllegalStateException("the cost oracle predicts no " + metric + " for " + a.canonical());
        }
        return p.getAsDouble();
    }

    static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (0 for one value). */
    static double sd(List<Double> v) {
        if (v.size() < 2) {
            return 0;
        }
        double m = mean(v);
        return Math.sqrt(v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (v.size() - 1));
    }
}
