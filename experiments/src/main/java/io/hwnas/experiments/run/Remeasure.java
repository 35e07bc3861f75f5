package io.hwnas.experiments.run;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Pareto sets of a run whose accuracy estimator predicts ({@code predictor}): every member's accuracy is
 * re-measured with the estimator that measures it ({@link AccuracyEstimator#measuredBy()}, the supernet) before it
 * is reported. Fronts are computed, the members not yet measured are measured and their accuracy replaced (the
 * predicted value kept as {@code accuracy.predicted}), and so on until every member of every front is measured.
 * Each measurement is journaled in {@value #FILE} (the same format as the run's journal), so a resumed or rebuilt
 * run gives the same fronts without measuring again.
 */
final class Remeasure {

    /** The journal of re-measured members in a run directory. */
    static final String FILE = "remeasured.jsonl";

    private Remeasure() {
    }

    /**
     * The fronts {@code fronts} computes from {@code all}, members re-measured as the class describes; for an
     * estimator that measures, just {@code fronts.apply(all)}.
     */
    static Map<String, List<Evaluation>> fronts(RunSetup setup, Path dir, List<Evaluation> all,
            Function<List<Evaluation>, Map<String, List<Evaluation>>> fronts) {
        return fronts(setup, dir, all, fronts, null);
    }

    /** As {@link #fronts(RunSetup, Path, List, Function)}, telling {@code progress} of each measurement. */
    static Map<String, List<Evaluation>> fronts(RunSetup setup, Path dir, List<Evaluation> all,
            Function<List<Evaluation>, Map<String, List<Evaluation>>> fronts, Progress progress) {
        Optional<AccuracyEstimator> by = setup.accuracy().measuredBy();
        if (by.isEmpty()) {
            return fronts.apply(all);
        }
        AccuracyEstimator measure = by.get();
        try (Journal journal = Journal.open(dir, FILE)) {
            Map<String, Evaluation> measured = new HashMap<>();
            for (Journal.Entry e : journal.entries()) {
                measured.putIfAbsent(key(e.evaluation().architecture()), e.evaluation());
            }
            while (true) {
                List<Evaluation> current = new ArrayList<>(all.size());
                for (Evaluation e : all) {
                    current.add(measured.getOrDefault(key(e.architecture()), e));
                }
                Map<String, List<Evaluation>> f = fronts.apply(current);
                Map<String, Evaluation> todo = new LinkedHashMap<>();
                for (List<Evaluation> members : f.values()) {
                    for (Evaluation e : members) {
                        if (!measured.containsKey(key(e.architecture()))) {
                            todo.putIfAbsent(key(e.architecture()), e);
                        }
                    }
                }
                if (todo.isEmpty()) {
                    return f;
                }
                int round = 0;
                for (Evaluation e : new LinkedHashSet<>(todo.values())) {
                    long start = System.nanoTime();
                    Evaluation m = measure(setup, measure, e);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    journal.append(m, seconds);
                    measured.put(key(e.architecture()), m);
                    if (progress != null) {
                        progress.remeasured(measure.name(), ++round, todo.size(), m, seconds);
                    }
                }
            }
        }
    }

    /** {@code e} with its accuracy measured by {@code measure}, or FAILED naming why it could not be. */
    static Evaluation measure(RunSetup setup, AccuracyEstimator measure, Evaluation e) {
        Architecture a = e.architecture();
        try {
            Estimate est = measure.estimate(setup.space(), a, setup.evaluator().seedFor(a));
            if (!Double.isFinite(est.value())) {
                return Evaluation.failed(a, "re-measured by " + measure.name() + ": " + est.value());
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            e.metrics().forEach((k, v) -> {
                if (!k.startsWith("accuracy")) {
                    metrics.put(k, v);
                }
            });
            metrics.put("accuracy", est.value());
            metrics.put("accuracy.predicted", e.metric("accuracy"));
            for (Map.Entry<String, Object> d : est.details().entrySet()) {
                if (d.getValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
                    metrics.put("accuracy." + d.getKey(), n.doubleValue());
                }
            }
            return new Evaluation(a, e.status(), metrics, e.error());
        } catch (RuntimeException x) {
            return Evaluation.failed(a, "re-measured by " + measure.name() + ": " + x.getClass().getSimpleName()
                    + ": " + x.getMessage());
        }
    }

    private static String key(Architecture a) {
        return a.space() + ":" + a.canonical();
    }
}
