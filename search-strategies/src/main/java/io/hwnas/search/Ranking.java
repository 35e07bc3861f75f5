package io.hwnas.search;

import io.hwnas.core.pareto.Pareto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ranks evaluations by constrained Pareto dominance (Deb): feasible results by their non-dominated
 * fronts, then infeasible ones by how far they break the constraints, then failed ones.
 */
public final class Ranking {

    private Ranking() {
    }

    /** The objectives of an evaluation as values to minimise; NaN where a metric is missing. */
    public static double[] objectives(SearchProblem problem, Evaluation e) {
        List<Objective> objs = problem.objectives();
        double[] out = new double[objs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = objs.get(i).minimizing(e.metric(objs.get(i).metric()));
        }
        return out;
    }

    /** True when the evaluation is OK, meets every constraint and has every objective. */
    public static boolean feasible(SearchProblem problem, Evaluation e) {
        return e.isOk() && problem.feasible(e.metrics())
                && Arrays.stream(objectives(problem, e)).noneMatch(Double::isNaN);
    }

    /**
     * The total relative constraint violation: 0 when feasible, positive for infeasible results
     * (1 if no constraint explains it), infinite for failed ones.
     */
    public static double violation(SearchProblem problem, Evaluation e) {
        if (e.status() == Evaluation.Status.FAILED) {
            return Double.POSITIVE_INFINITY;
        }
        if (feasible(problem, e)) {
            return 0;
        }
        double v = 0;
        for (Constraint c : problem.constraints()) {
            v += c.violation(e.metrics());
        }
        return v > 0 ? v : 1;
    }

    /**
     * A rank per evaluation (0 best): the Pareto fronts of the feasible ones, then one rank per
     * distinct violation level of the infeasible ones, failed ones last.
     */
    public static int[] ranks(SearchProblem problem, List<Evaluation> evaluations) {
        int n = evaluations.size();
        int[] rank = new int[n];
        List<Integer> feasible = new ArrayList<>();
        double[] violation = new double[n];
        for (int i = 0; i < n; i++) {
            violation[i] = violation(problem, evaluations.get(i));
            if (violation[i] == 0) {
                feasible.add(i);
            }
        }
        double[][] points = feasible.stream().map(i -> objectives(problem, evaluations.get(i))).toArray(double[][]::new);
        int[] fr = Pareto.ranks(points);
        int worst = -1;
        for (int k = 0; k < fr.length; k++) {
            rank[feasible.get(k)] = fr[k];
            worst = Math.max(worst, fr[k]);
        }
        double[] levels = Arrays.stream(violation).filter(v -> v > 0).distinct().sorted().toArray();
        for (int i = 0; i < n; i++) {
            if (violation[i] > 0) {
                rank[i] = worst + 1 + Arrays.binarySearch(levels, violation[i]);
            }
        }
        return rank;
    }
}
