package io.hwnas.search.evolution;

import io.hwnas.core.space.SearchSpace;
import io.hwnas.search.InitialArchitectures;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyOptions;
import io.hwnas.search.StrategyRun;
import java.util.Map;
import java.util.Set;

/**
 * {@code nsga2}: NSGA-II (Deb et al., 2002) on the Jenetics engine with {@code NSGA2Selector} and
 * {@code Vec} fitness; see {@link Nsga2Run} for how a Jenetics generation becomes one ask/tell
 * batch and why the run is deterministic. The engine keeps {@code population} survivors (NSGA-II's elitist
 * truncation of parents and children by rank and crowding) plus {@code offspring} new children per
 * generation, bred by uniform crossover of the decision vector
 * and per-position mutation. Infeasible and failed evaluations rank below every feasible one
 * (constrained dominance, by their violation).
 */
public final class Nsga2 implements SearchStrategy {

    private final Map<String, Object> raw;
    final int population;
    final int offspring;
    final double crossover;
    final double mutation;
    final int staleGenerations;
    final boolean startUnpruned;
    final double pruneStep;
    final InitialArchitectures initial;

    public Nsga2() {
        this(Map.of());
    }

    private Nsga2(Map<String, ?> raw) {
        StrategyOptions o = new StrategyOptions(name(), raw,
                Set.of("population", "offspring", "crossover", "mutation", "stale_generations", "start_unpruned",
                        "prune_step", InitialArchitectures.OPTION));
        this.raw = Map.copyOf(raw);
        this.population = o.integer("population", 30, 2, 100_000);
        this.offspring = o.integer("offspring", 10, 1, 100_000);
        this.crossover = o.number("crossover", 0.3, 0, 1);
        this.mutation = o.number("mutation", 0.01, 0, 1);
        this.staleGenerations = o.integer("stale_generations", 50, 1, 1_000_000);
        this.startUnpruned = o.bool("start_unpruned", false);
        this.pruneStep = o.number("prune_step", 0, 0, 1);
        this.initial = InitialArchitectures.of(name(), raw, population + offspring, "the first generation holds "
                + "population + offspring = " + (population + offspring));
    }

    @Override
    public String name() {
        return "nsga2";
    }

    @Override
    public SearchStrategy withOptions(Map<String, ?> options) {
        return new Nsga2(StrategyOptions.merged(raw, options));
    }

    /**
     * Options: {@code population} survivors (NSGA-II's elite), {@code offspring} children per
     * generation (one batch), {@code crossover} probability per pair of parents (uniform crossover),
     * {@code mutation} probability that each position beyond the one always changed is changed too,
     * {@code stale_generations} generations in a row without a new architecture before giving up,
     * {@code start_unpruned} (in a space with a {@code compression} section) whether the first generation's
     * pruning decisions are all at the smallest listed ratio, the rest drawn as usual: the joint search then
     * starts from exactly the architectures (and bits) an unpruned search with the same seed starts from, and
     * pruning enters by mutation and crossover; listed only when true.
     * {@code prune_step} (in a space with a {@code compression} section) the probability that a child is its
     * parent with every group's pruning ratio moved one listed ratio up or down together, instead of the
     * per-position mutation: per-position mutation changes one or two groups, which on edge-tpu moves
     * latency by about 1%, while the whole network pruned one step further moves it by 17-19%; listed only
     * when above 0 (0, the default, draws nothing, so runs without it are unchanged).
     * {@code initial} ({@link InitialArchitectures}) architectures the first generation holds, the rest drawn at
     * random as usual; listed only when given.
     * The defaults (30, 10, 0.3, 0.01) were chosen on NAS-Bench-201 tables at 300 evaluations.
     */
    @Override
    public Map<String, Object> options() {
        Map<String, Object> o = StrategyOptions.merged(StrategyOptions.ordered("population", population, "offspring",
                offspring, "crossover", crossover, "mutation", mutation, "stale_generations", staleGenerations),
                CompressionMoves.options(startUnpruned, pruneStep));
        return initial.isEmpty() ? o : StrategyOptions.merged(o, Map.of(InitialArchitectures.OPTION,
                initial.texts()));
    }

    @Override
    public void check(SearchSpace space) {
        initial.resolve(space);
    }

    @Override
    public StrategyRun start(SearchProblem problem, long seed) {
        return new Nsga2Run(this, problem, seed);
    }
}
