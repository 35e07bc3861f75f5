package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.core.pareto.Pareto;
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
     * The non-dominated evaluations for one device, one per architecture and one per objective
     * vector (exact ties collapse to the architecture first by name), sorted by the first cost
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
        double[][] points = new double[all.size()][];
        for (int i = 0; i < points.length; i++) {
            points[i] = d.point(all.get(i));
        }
        // architectures with exactly the same objective values are one point: keep the first by name
        Map<String, Evaluation> byPoint = new java.util.TreeMap<>();
        for (int i : Pareto.nonDominated(points)) {
            byPoint.merge(java.util.Arrays.toString(points[i]), all.get(i),
                    (a, b) -> a.architecture().canonical().compareTo(b.architecture().canonical()) <= 0 ? a : b);
        }
        List<Evaluation> front = new ArrayList<>(byPoint.values());
        String first = d.metric(d.metrics().get(0));
        front.sort(Comparator.comparingDouble((Evaluation e) -> e.metric(first))
                .thenComparing(e -> e.architecture().canonical()));
        return front;
    }
}
