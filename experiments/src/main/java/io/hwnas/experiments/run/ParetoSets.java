package io.hwnas.experiments.run;

import io.hwnas.search.Evaluation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The per-device Pareto sets of a run's evaluations. */
public final class ParetoSets {

    private ParetoSets() {
    }

    /**
     * The non-dominated evaluations for one device, one per architecture, sorted by the first cost
     * metric then the architecture string (a deterministic order).
     */
    public static List<Evaluation> front(DeviceObjectives d, List<Evaluation> evaluations) {
        Map<String, Evaluation> unique = new LinkedHashMap<>();
        for (Evaluation e : evaluations) {
            if (d.admits(e)) {
                unique.putIfAbsent(e.architecture().canonical(), e);
            }
        }
        List<Evaluation> all = new ArrayList<>(unique.values());
        List<double[]> points = new ArrayList<>();
        for (Evaluation e : all) {
            points.add(d.point(e));
        }
        List<Evaluation> front = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            boolean dominated = false;
            for (int j = 0; j < all.size() && !dominated; j++) {
                dominated = j != i && dominates(points.get(j), points.get(i));
            }
            if (!dominated) {
                front.add(all.get(i));
            }
        }
        String first = d.metric(d.metrics().get(0));
        front.sort(Comparator.comparingDouble((Evaluation e) -> e.metric(first))
                .thenComparing(e -> e.architecture().canonical()));
        return front;
    }

    static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int k = 0; k < a.length; k++) {
            if (a[k] > b[k]) {
                return false;
            }
            better |= a[k] < b[k];
        }
        return better;
    }
}
