package io.hwnas.search.random;

import io.hwnas.core.arch.Architecture;
import io.hwnas.search.AbstractRun;
import io.hwnas.search.Evaluation;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.Seeds;
import io.hwnas.search.StrategyOptions;
import io.hwnas.search.StrategyRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/** {@code random}: uniform samples of the search domain without repeats, the baseline of every benchmark. */
public final class RandomSearch implements SearchStrategy {

    /** Samples drawn per proposal before concluding that the space holds nothing new. */
    static final int DEFAULT_TRIES = 10_000;

    private final Map<String, Object> raw;
    private final int tries;

    public RandomSearch() {
        this(Map.of());
    }

    private RandomSearch(Map<String, ?> raw) {
        StrategyOptions o = new StrategyOptions(name(), raw, Set.of("tries"));
        this.raw = Map.copyOf(raw);
        this.tries = o.integer("tries", DEFAULT_TRIES, 1, Integer.MAX_VALUE);
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public SearchStrategy withOptions(Map<String, ?> options) {
        return new RandomSearch(StrategyOptions.merged(raw, options));
    }

    @Override
    public Map<String, Object> options() {
        return StrategyOptions.ordered("tries", tries);
    }

    @Override
    public StrategyRun start(SearchProblem problem, long seed) {
        return new Run(problem, Seeds.generator(seed, "random"));
    }

    private final class Run extends AbstractRun {

        private final RandomGenerator random;

        Run(SearchProblem problem, RandomGenerator random) {
            super(problem);
            this.random = random;
        }

        @Override
        protected List<Architecture> propose(int remaining) {
            List<Architecture> batch = new ArrayList<>();
            int n = batchSize(remaining);
            while (batch.size() < n) {
                Architecture a = fresh();
                if (a == null) {
                    break;
                }
                batch.add(a);
            }
            return batch;
        }

        private Architecture fresh() {
            for (int t = 0; t < tries; t++) {
                Architecture a = problem.space().sample(random);
                if (claim(a)) {
                    return a;
                }
            }
            return null;
        }

        @Override
        protected void observe(List<Evaluation> results) {
            // uniform sampling learns nothing
        }
    }
}
