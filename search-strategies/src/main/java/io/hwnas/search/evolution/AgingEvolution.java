package io.hwnas.search.evolution;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.pareto.Pareto;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.search.AbstractRun;
import io.hwnas.search.Evaluation;
import io.hwnas.search.InitialArchitectures;
import io.hwnas.search.Ranking;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.Seeds;
import io.hwnas.search.StrategyOptions;
import io.hwnas.search.StrategyRun;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * {@code aging-evolution}: regularized evolution (Real et al., 2019). A queue of the most recent
 * {@code population} evaluations; each child mutates the winner of a tournament of {@code sample}
 * random members; the oldest member dies when a child arrives. With several objectives the
 * tournament is Pareto-ranked (constrained non-dominated rank over the population, then crowding
 * distance) or scalarised (a weighted sum of the population-normalised objectives with random
 * weights drawn per tournament, so the children spread along the front). With {@code start_unpruned}
 * (in a space with a {@code compression} section) the first {@code population} random members have every
 * pruning decision at the smallest listed ratio and pruning enters by mutation; listed only when true. With
 * {@code prune_step} q > 0 (in such a space) a child is, with probability q, its parent with every group's
 * pruning ratio moved one listed ratio up or down together ({@link CompressedSpace#prunedStep}) instead of a
 * mutation; listed only when above 0.
 */
public final class AgingEvolution implements SearchStrategy {

    private static final List<String> SELECTIONS = List.of("pareto", "scalar");
    private static final int MUTATION_TRIES = 200;

    private final Map<String, Object> raw;
    private final int population;
    private final int sample;
    private final String selection;
    private final boolean startUnpruned;
    private final double pruneStep;
    private final InitialArchitectures initial;

    public AgingEvolution() {
        this(Map.of());
    }

    private AgingEvolution(Map<String, ?> raw) {
        StrategyOptions o = new StrategyOptions(name(), raw, Set.of("population", "sample", "selection",
                "start_unpruned", "prune_step", InitialArchitectures.OPTION));
        this.raw = Map.copyOf(raw);
        this.population = o.integer("population", 50, 2, 1_000_000);
        this.sample = o.integer("sample", 10, 1, population);
        this.selection = o.string("selection", "pareto", SELECTIONS);
        this.startUnpruned = o.bool("start_unpruned", false);
        this.pruneStep = o.number("prune_step", 0, 0, 1);
        this.initial = InitialArchitectures.of(name(), raw, population, "the first population members");
    }

    @Override
    public String name() {
        return "aging-evolution";
    }

    @Override
    public SearchStrategy withOptions(Map<String, ?> options) {
        return new AgingEvolution(StrategyOptions.merged(raw, options));
    }

    /**
     * Options: {@code population}, {@code sample}, {@code selection}, {@code start_unpruned} and {@code prune_step}
     * as above; {@code initial} ({@link InitialArchitectures}) architectures the first {@code population} members
     * start with, before the random ones; listed only when given.
     */
    @Override
    public Map<String, Object> options() {
        Map<String, Object> o = StrategyOptions.merged(StrategyOptions.ordered("population", population, "sample",
                sample, "selection", selection), CompressionMoves.options(startUnpruned, pruneStep));
        return initial.isEmpty() ? o : StrategyOptions.merged(o, Map.of(InitialArchitectures.OPTION,
                initial.texts()));
    }

    @Override
    public void check(io.hwnas.core.space.SearchSpace space) {
        initial.resolve(space);
    }

    @Override
    public StrategyRun start(SearchProblem problem, long seed) {
        return new Run(problem, seed);
    }

    private final class Run extends AbstractRun {

        private final RandomGenerator random;
        private final Deque<Evaluation> queue = new ArrayDeque<>();
        private final Deque<Architecture> seeds;

        Run(SearchProblem problem, long seed) {
            super(problem);
            this.random = Seeds.generator(seed, "aging-evolution");
            this.seeds = new ArrayDeque<>(initial.resolve(problem.space()));
        }

        @Override
        protected List<Architecture> propose(int remaining) {
            int n = batchSize(remaining);
            List<Architecture> batch = new ArrayList<>();
            List<Evaluation> members = usable();
            while (batch.size() < n) {
                Architecture a = members.size() < population && history().size() + batch.size() < population
                        ? sampleNew() : child(members);
                if (a == null) {
                    break;
                }
                batch.add(a);
            }
            return batch;
        }

        /** Members that can parent: failed ones carry no information. */
        private List<Evaluation> usable() {
            return queue.stream().filter(e -> e.status() != Evaluation.Status.FAILED).toList();
        }

        private Architecture sampleNew() {
            while (!seeds.isEmpty()) { // the initial architectures first, in order, without a draw
                Architecture a = seeds.pollFirst();
                if (claim(a)) {
                    return a;
                }
            }
            for (int t = 0; t < 10_000; t++) {
                Architecture a = problem.space().sample(random);
                if (startUnpruned && problem.space() instanceof CompressedSpace cs) {
                    a = cs.decode(cs.unpruned(a.vectorArray()));
                }
                if (claim(a)) {
                    return a;
                }
            }
            return null;
        }

        private Architecture child(List<Evaluation> members) {
            if (members.isEmpty()) {
                return sampleNew();
            }
            Architecture parent = tournament(members);
            for (int t = 0; t < MUTATION_TRIES; t++) {
                Architecture c = pruneStep > 0 && problem.space() instanceof CompressedSpace cs
                        && random.nextDouble() < pruneStep // no draw at all when q is 0
                        ? cs.decode(CompressionMoves.step(cs, parent.vectorArray(), random))
                        : problem.space().mutate(parent, random);
                if (claim(c)) {
                    return c;
                }
                if (t % 20 == 19) { // a saturated neighbourhood: climb a step further away
                    parent = c;
                }
            }
            return sampleNew();
        }

        private Architecture tournament(List<Evaluation> members) {
            int[] pick = new int[Math.min(sample, members.size())];
            for (int i = 0; i < pick.length; i++) {
                pick[i] = random.nextInt(members.size());
            }
            double[] score = selection.equals("scalar") ? scalarScores(members) : paretoScores(members);
            int best = pick[0];
            for (int i : pick) {
                if (score[i] < score[best]) {
                    best = i;
                }
            }
            return members.get(best).architecture();
        }

        /** Rank, then less crowded first (score = rank - crowding share). */
        private double[] paretoScores(List<Evaluation> members) {
            int[] rank = Ranking.ranks(problem, members);
            double[] score = new double[rank.length];
            int maxRank = java.util.Arrays.stream(rank).max().orElse(0);
            for (int r = 0; r <= maxRank; r++) {
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < rank.length; i++) {
                    if (rank[i] == r) {
                        idx.add(i);
                    }
                }
                if (idx.isEmpty()) {
                    continue;
                }
                double[][] front = idx.stream().map(i -> Ranking.objectives(problem, members.get(i)))
                        .toArray(double[][]::new);
                boolean finite = java.util.Arrays.stream(front).flatMapToDouble(java.util.Arrays::stream)
                        .allMatch(Double::isFinite);
                double[] crowd = finite ? Pareto.crowding(front) : new double[front.length];
                for (int k = 0; k < idx.size(); k++) {
                    double c = crowd[k];
                    score[idx.get(k)] = r + (Double.isInfinite(c) ? 0 : 0.5 - 0.5 * Math.min(1, c / 2));
                }
            }
            return score;
        }

        /** Weighted sum of normalised objectives; infeasible members score above every feasible one. */
        private double[] scalarScores(List<Evaluation> members) {
            int m = problem.objectives().size();
            double[] w = new double[m];
            double sum = 0;
            for (int k = 0; k < m; k++) {
                w[k] = -Math.log(1 - random.nextDouble()); // flat Dirichlet
                sum += w[k];
            }
            double[][] obj = members.stream().map(e -> Ranking.objectives(problem, e)).toArray(double[][]::new);
            double[] lo = new double[m];
            double[] hi = new double[m];
            java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
            double[] violation = new double[obj.length];
            for (int i = 0; i < obj.length; i++) {
                violation[i] = Ranking.violation(problem, members.get(i));
                for (int k = 0; k < m && violation[i] == 0; k++) {
                    lo[k] = Math.min(lo[k], obj[i][k]);
                    hi[k] = Math.max(hi[k], obj[i][k]);
                }
            }
            double[] score = new double[obj.length];
            for (int i = 0; i < obj.length; i++) {
                if (violation[i] > 0) {
                    score[i] = 2 + violation[i];
                    continue;
                }
                for (int k = 0; k < m; k++) {
                    double span = hi[k] - lo[k];
                    score[i] += w[k] / sum * (span > 0 ? (obj[i][k] - lo[k]) / span : 0);
                }
            }
            return score;
        }

        @Override
        protected void observe(List<Evaluation> results) {
            for (Evaluation e : results) {
                queue.addLast(e);
                if (queue.size() > population) {
                    queue.removeFirst();
                }
            }
        }
    }
}
