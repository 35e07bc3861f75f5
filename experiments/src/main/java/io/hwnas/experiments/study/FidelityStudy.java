package io.hwnas.experiments.study;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.run.Journal;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.run.Runner;
import io.hwnas.experiments.setup.DeviceBinding;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Multi-fidelity against a flat schedule with the same training steps: per seed, a search with the
 * config's {@code accuracy.fidelity} and one where every candidate of the same pool trains the same
 * share of the steps the first spent, then each run's best candidate retrained standalone from
 * scratch (same steps, same seed) and scored on the same validation images.
 */
public final class FidelityStudy {

    private FidelityStudy() {
    }

    /**
     * Runs the study.
     *
     * @param c            a config with {@code accuracy.fidelity}
     * @param dir          a folder for the runs ({@code seed-S/fidelity}, {@code seed-S/flat})
     * @param seeds        seeds (config seed, seed + 1, ...)
     * @param retrainSteps steps of the standalone retraining, or null for {@code max_steps}
     * @param progress     a progress display for a config
     * @param log          one line per finished run or training
     * @return the figures, JSON-ready
     */
    public static Map<String, Object> run(ExperimentConfig c, Path dir, int seeds, Integer retrainSteps,
            Function<ExperimentConfig, Progress> progress, Consumer<String> log) {
        if (c.fidelity() == null) {
            throw new IllegalArgumentException(c.file() + ": accuracy.fidelity is missing; bench fidelity needs it");
        }
        int steps = retrainSteps != null ? retrainSteps : c.fidelity().maxSteps();
        List<Map<String, Object>> rows = new ArrayList<>();
        int wins = 0;
        for (int i = 0; i < seeds; i++) {
            Map<String, Object> row = seed(c, c.seed() + i, dir.resolve("seed-" + (c.seed() + i)), steps, progress,
                    log);
            wins += Boolean.TRUE.equals(row.get("fidelity_better")) ? 1 : 0;
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", String.valueOf(c.file()));
        out.put("fidelity", Map.of("schedule", c.fidelity().schedule(), "min_steps", c.fidelity().minSteps(),
                "max_steps", c.fidelity().maxSteps(), "eta", c.fidelity().eta()));
        out.put("retrain_steps", steps);
        out.put("seeds", rows);
        out.put("fidelity_wins", wins);
        out.put("holds", 3 * wins >= 2 * seeds);
        return out;
    }

    private static Map<String, Object> seed(ExperimentConfig c, long seed, Path dir, int steps,
            Function<ExperimentConfig, Progress> progress, Consumer<String> log) {
        ExperimentConfig mf = with(c, seed, c.accuracy().options(), c.fidelity(), dir.resolve("fidelity"));
        long t0 = System.nanoTime();
        Runner.Result a = new Runner(RunSetup.bind(mf, DeviceBinding.catalog()), mf.output(), progress.apply(mf))
                .run(false);
        List<Evaluation> mfAll = finals(a);
        // a promoted candidate continues from its checkpoint, so it cost the steps of the highest rung it reached
        long total = mfAll.stream().mapToLong(e -> (long) rung(e)).sum();
        Set<Architecture> pool = new LinkedHashSet<>();
        mfAll.forEach(e -> pool.add(e.architecture()));
        int flatSteps = (int) Math.max(1, total / Math.max(1, pool.size()));
        log.accept(String.format(java.util.Locale.ROOT, "seed %d: multi-fidelity run, %d candidates, %d training "
                + "steps, %.0f s", seed, pool.size(), total, (System.nanoTime() - t0) / 1e9));
        Map<String, Object> flatOptions = new LinkedHashMap<>(c.accuracy().options());
        flatOptions.put("steps", flatSteps);
        ExperimentConfig flat = with(c, seed, flatOptions, null, dir.resolve("flat"));
        t0 = System.nanoTime();
        Runner.Result b = new Runner(RunSetup.bind(flat, DeviceBinding.catalog()), flat.output(),
                progress.apply(flat)).run(false);
        List<Evaluation> flatAll = finals(b);
        log.accept(String.format(java.util.Locale.ROOT, "seed %d: flat run, %d steps per candidate, %.0f s", seed,
                flatSteps, (System.nanoTime() - t0) / 1e9));
        Set<Architecture> flatPool = new LinkedHashSet<>();
        flatAll.forEach(e -> flatPool.add(e.architecture()));
        int max = c.fidelity().maxSteps();
        Evaluation bestMf = best(mfAll.stream().filter(e -> rung(e) == max).toList())
                .orElseThrow(() -> new IllegalStateException("seed " + seed + ": no candidate reached max_steps"));
        Evaluation bestFlat = best(flatAll).orElseThrow(() -> new IllegalStateException("seed " + seed
                + ": no candidate of the flat run trained"));
        RunSetup bound = RunSetup.bind(flat, DeviceBinding.catalog());
        TrainEstimator retrain = ((TrainEstimator) bound.accuracy()).withOptions(Map.of("steps", steps));
        double mfTop1 = retrain.train(bound.space(), bestMf.architecture(), seed, null).top1();
        double flatTop1 = bestMf.architecture().equals(bestFlat.architecture()) ? mfTop1
                : retrain.train(bound.space(), bestFlat.architecture(), seed, null).top1();
        log.accept(String.format(java.util.Locale.ROOT, "seed %d: retrained %d steps: multi-fidelity best %.2f, flat "
                + "best %.2f", seed, steps, mfTop1, flatTop1));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("seed", seed);
        row.put("same_pool", pool.equals(flatPool));
        row.put("candidates", pool.size());
        row.put("fidelity_total_steps", total);
        row.put("flat_steps_per_candidate", flatSteps);
        row.put("flat_total_steps", (long) flatSteps * flatPool.size());
        row.put("fidelity_best", bestMf.architecture().canonical());
        row.put("fidelity_best_search_top1", bestMf.metric("accuracy"));
        row.put("fidelity_best_retrained_top1", mfTop1);
        row.put("flat_best", bestFlat.architecture().canonical());
        row.put("flat_best_search_top1", bestFlat.metric("accuracy"));
        row.put("flat_best_retrained_top1", flatTop1);
        row.put("fidelity_better", mfTop1 > flatTop1);
        return row;
    }

    /** Each candidate's evaluation at the highest rung it reached (a flat run: its only one), from the journal. */
    private static List<Evaluation> finals(Runner.Result r) {
        Map<Architecture, Evaluation> last = new LinkedHashMap<>();
        try (Journal j = Journal.open(r.dir())) {
            for (Journal.Entry entry : j.entries()) {
                Evaluation e = entry.evaluation();
                Evaluation before = last.get(e.architecture());
                if (before == null || rung(e) >= rung(before)) {
                    last.put(e.architecture(), e);
                }
            }
        }
        return List.copyOf(last.values());
    }

    private static double rung(Evaluation e) {
        double s = e.metric(CandidateEvaluator.FIDELITY_STEPS);
        return Double.isNaN(s) ? 0 : s;
    }

    private static Optional<Evaluation> best(List<Evaluation> all) {
        return all.stream().filter(e -> e.isOk() || e.status() == Evaluation.Status.INFEASIBLE)
                .filter(e -> Double.isFinite(e.metric("accuracy")))
                .max(Comparator.comparingDouble((Evaluation e) -> e.metric("accuracy"))
                        .thenComparing(e -> e.architecture().canonical(), Comparator.reverseOrder()));
    }

    private static ExperimentConfig with(ExperimentConfig c, long seed, Map<String, Object> accuracyOptions,
            ExperimentConfig.Fidelity fidelity, Path output) {
        return new ExperimentConfig(c.file(), c.name(), seed, c.space(), c.dataset(),
                new ExperimentConfig.Plugin(c.accuracy().name(), accuracyOptions), c.devices(), c.objectives(),
                c.strategy(), c.budget(), c.executor(), output, Map.of(), c.screen(), fidelity);
    }
}
