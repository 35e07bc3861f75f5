package io.hwnas.search.random;

import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyContract;

class RandomSearchTest extends StrategyContract {

    @Override
    protected SearchStrategy strategy() {
        return new RandomSearch();
    }
}
