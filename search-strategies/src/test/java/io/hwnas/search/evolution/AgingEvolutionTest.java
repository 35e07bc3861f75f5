package io.hwnas.search.evolution;

import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyContract;
import java.util.Map;

class AgingEvolutionTest extends StrategyContract {

    @Override
    protected SearchStrategy strategy() {
        return new AgingEvolution().withOptions(Map.of("population", 20, "sample", 5));
    }

    static class Scalarised extends StrategyContract {

        @Override
        protected SearchStrategy strategy() {
            return new AgingEvolution().withOptions(Map.of("population", 20, "sample", 5, "selection", "scalar"));
        }
    }
}
