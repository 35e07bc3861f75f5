package io.hwnas.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpaces;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankingTest {

    private final SearchProblem problem = new SearchProblem(SearchSpaces.get("nb201", Map.of()),
            List.of(Objective.maximize("accuracy"), Objective.minimize("lat")), List.of(new Constraint("lat", 10)), 10, 1,
            CostOracle.NONE);
    private final Architecture a = problem.space().parse("0");

    private Evaluation ok(double acc, double lat) {
        return Evaluation.ok(a, Map.of("accuracy", acc, "lat", lat));
    }

    @Test
    void feasibleFrontsThenViolationLevelsThenFailures() {
        List<Evaluation> es = List.of(ok(90, 5), ok(80, 4), ok(70, 6), ok(95, 12), ok(95, 20), Evaluation.failed(a, "x"),
                Evaluation.infeasible(a, Map.of("accuracy", 99.0, "lat", 3.0), "too much RAM"));
        // front 0: (90,5), (80,4); front 1: (70,6); then violations 0.2, 1.0 (RAM, unexplained), 1.0; failed last
        assertArrayEquals(new int[] {0, 0, 1, 2, 3, 4, 3}, Ranking.ranks(problem, es));
        assertEquals(0.2, Ranking.violation(problem, ok(95, 12)), 1e-12);
        assertArrayEquals(new double[] {-90, 5}, Ranking.objectives(problem, ok(90, 5)));
    }
}
