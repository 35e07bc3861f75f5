package io.hwnas.search;

import io.hwnas.core.space.SearchSpace;
import java.util.List;
import java.util.Objects;

/**
 * What a strategy searches: a space, the objectives, hard constraints, an evaluation budget, the
 * batch size the executor takes, and an oracle for cheap predictions that use no budget.
 *
 * @param space       the search space
 * @param objectives  at least one objective; metric names as in {@link Evaluation#metrics()}
 * @param constraints hard constraints on metrics
 * @param budget      the number of evaluations (failed ones included)
 * @param batchSize   how many architectures one {@code ask} should propose (a hint; the last
 *                    batch may be smaller)
 * @param oracle      cheap metric predictions (analytical cost models), or {@link CostOracle#NONE}
 */
public record SearchProblem(SearchSpace space, List<Objective> objectives, List<Constraint> constraints, int budget,
        int batchSize, CostOracle oracle) {

    public SearchProblem {
        Objects.requireNonNull(space, "space");
        objectives = List.copyOf(objectives);
        constraints = List.copyOf(constraints);
        Objects.requireNonNull(oracle, "oracle");
        if (objectives.isEmpty()) {
            throw new IllegalArgumentException("a search problem needs at least one objective");
        }
        if (budget <= 0) {
            throw new IllegalArgumentException("budget must be positive, but was " + budget);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, but was " + batchSize);
        }
    }

    /** True when the metrics satisfy every constraint (a missing metric fails its constraint). */
    public boolean feasible(java.util.Map<String, Double> metrics) {
        for (Constraint c : constraints) {
            if (!c.satisfiedBy(metrics)) {
                return false;
            }
        }
        return true;
    }
}
