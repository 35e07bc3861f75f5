package io.hwnas.search.evolution;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.search.AbstractRun;
import io.hwnas.search.Evaluation;
import io.hwnas.search.Ranking;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.Seeds;
import io.jenetics.Alterer;
import io.jenetics.AltererResult;
import io.jenetics.Chromosome;
import io.jenetics.Genotype;
import io.jenetics.IntegerChromosome;
import io.jenetics.IntegerGene;
import io.jenetics.Phenotype;
import io.jenetics.engine.Engine;
import io.jenetics.engine.EvolutionResult;
import io.jenetics.engine.EvolutionStart;
import io.jenetics.engine.RetryConstraint;
import io.jenetics.ext.moea.NSGA2Selector;
import io.jenetics.ext.moea.Vec;
import io.jenetics.util.Factory;
import io.jenetics.util.ISeq;
import io.jenetics.util.MSeq;
import io.jenetics.util.RandomRegistry;
import io.jenetics.util.Seq;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;

/**
 * One NSGA-II run: the Jenetics engine driven generation by generation, each generation's new
 * children handed to the caller as one ask/tell batch.
 *
 * <p>How: the engine's evaluation step is our {@link Evaluator}, which answers architectures it has
 * been told from a cache and, at the first unevaluated ones, aborts {@code Engine.evolve} with the
 * list of them. {@code ask} returns that list; after {@code tell} fills the cache, the same
 * generation is evolved again from the same {@code EvolutionStart} and the same random generator
 * state, so it breeds exactly the same children and now completes. Repeats of architectures already
 * told (the engine breeds duplicates) are answered from the cache and use no budget.
 *
 * <p>Why it is deterministic: Jenetics draws all randomness from {@code RandomRegistry.random()}.
 * Each evolve attempt runs inside {@code RandomRegistry.with(generator, ...)}, which binds a fresh
 * generator derived from (seed, generation) to the calling thread only, for that call only (nothing
 * global is changed); the engine's executor runs every step synchronously on that thread, so the
 * order of random draws is fixed. The outcome therefore depends only on the seed and on the told
 * evaluations, which is what resume-by-replay needs.
 */
final class Nsga2Run extends AbstractRun {

    private static final double INFEASIBLE = 1e12;
    private static final double FAILED = 1e15;

    private final long seed;
    private final SearchSpace space;
    private final int staleLimit;
    private final Engine<IntegerGene, Vec<double[]>> engine;
    private final Map<Architecture, Vec<double[]>> told = new HashMap<>();
    private EvolutionStart<IntegerGene, Vec<double[]>> start;
    private int stale;
    private int generations;
    private int repeats;

    Nsga2Run(Nsga2 strategy, SearchProblem problem, long seed) {
        super(problem);
        this.seed = seed;
        this.space = problem.space();
        this.staleLimit = strategy.staleGenerations;
        int[] choices = space.choices();
        List<IntegerChromosome> chromosomes = new ArrayList<>();
        for (int c : choices) {
            chromosomes.add(IntegerChromosome.of(0, c, 1)); // one gene per position, values 0..c-1
        }
        Genotype<IntegerGene> prototype = Genotype.of(chromosomes);
        // start_unpruned: the same draws as usual (so the same stream as an unpruned space's run), then the
        // pruning genes reset; only the first generation and constraint retries are drawn from the factory
        Factory<Genotype<IntegerGene>> factory = strategy.startUnpruned && space instanceof CompressedSpace cs
                ? () -> genotype(prototype, cs.unpruned(vector(prototype.newInstance()))) : prototype;
        double pm = strategy.mutation;
        this.engine = new Engine.Builder<>(new Evaluator(), factory)
                .populationSize(strategy.population + strategy.offspring)
                .offspringSize(strategy.offspring)
                .survivorsSelector(NSGA2Selector.ofVec())
                .offspringSelector(NSGA2Selector.ofVec())
                .alterers(new UniformCrossover(strategy.crossover), new PositionMutator(pm,
                        space instanceof CompressedSpace cs ? cs : null, strategy.pruneStep))
                .constraint(new RetryConstraint<>(pt -> space.violations(vector(pt.genotype())).isEmpty(), factory,
                        RetryConstraint.DEFAULT_RETRY_COUNT))
                .maximalPhenotypeAge(Integer.MAX_VALUE)
                .executor(Runnable::run)
                .build();
        // initial: the first generation starts with these, the rest drawn from the factory (with a generator of its
        // own); without them, Engine.evolve draws the whole first generation, as it always did
        List<Phenotype<IntegerGene, Vec<double[]>>> first = new ArrayList<>();
        strategy.initial.resolve(space).forEach(a -> first.add(Phenotype.of(genotype(prototype, a.vectorArray()), 1)));
        if (!first.isEmpty()) {
            RandomRegistry.with(Seeds.generator(seed, "nsga2-initial"), r -> {
                while (first.size() < strategy.population + strategy.offspring) {
                    first.add(Phenotype.of(factory.newInstance(), 1));
                }
                return null;
            });
        }
        this.start = EvolutionStart.of(ISeq.of(first), 1);
    }

    @Override
    protected List<Architecture> propose(int remaining) {
        while (stale < staleLimit) {
            RandomGenerator random = Seeds.generator(seed, "nsga2", start.generation());
            Object outcome = RandomRegistry.with(random, r -> {
                try {
                    return engine.evolve(start);
                } catch (Pending p) {
                    return p;
                } catch (CompletionException e) {
                    if (e.getCause() instanceof Pending p) {
                        return p;
                    }
                    throw e;
                }
            });
            if (outcome instanceof Pending p) {
                stale = 0;
                List<Architecture> batch = new ArrayList<>();
                for (Architecture a : p.missing) {
                    if (batch.size() == remaining) {
                        break;
                    }
                    if (claim(a)) {
                        batch.add(a);
                    }
                }
                return batch;
            }
            @SuppressWarnings("unchecked")
            EvolutionResult<IntegerGene, Vec<double[]>> result = (EvolutionResult<IntegerGene, Vec<double[]>>) outcome;
            start = result.next();
            generations++;
            stale++; // reset when the next generation needs new evaluations
        }
        return List.of();
    }

    @Override
    protected void observe(List<Evaluation> results) {
        for (Evaluation e : results) {
            told.put(e.architecture(), fitness(e));
        }
    }

    @Override
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generations", generations);
        m.put("repeats_from_cache", repeats);
        return m;
    }

    /** Maximised fitness: the negated minimised objectives; constraint breakers far below any feasible one. */
    private Vec<double[]> fitness(Evaluation e) {
        double v = Ranking.violation(problem, e);
        double[] f = Ranking.objectives(problem, e);
        for (int i = 0; i < f.length; i++) {
            f[i] = v == 0 ? -f[i] : Double.isInfinite(v) ? -FAILED : -(INFEASIBLE * (1 + v));
        }
        return Vec.of(f);
    }

    /** The prototype's genotype with the given values (each within its position's range). */
    private static Genotype<IntegerGene> genotype(Genotype<IntegerGene> prototype, int[] v) {
        List<IntegerChromosome> chromosomes = new ArrayList<>(v.length);
        for (int i = 0; i < v.length; i++) {
            chromosomes.add(IntegerChromosome.of(prototype.get(i).gene().newInstance(v[i])));
        }
        return Genotype.of(chromosomes);
    }

    static int[] vector(Genotype<IntegerGene> gt) {
        int[] v = new int[gt.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = gt.get(i).gene().intValue();
        }
        return v;
    }

    /** Thrown out of {@code Engine.evolve} when a generation needs evaluations the caller has to make. */
    private static final class Pending extends RuntimeException {

        final List<Architecture> missing;

        Pending(List<Architecture> missing) {
            super(null, null, false, false);
            this.missing = missing;
        }
    }

    /** The engine's evaluation step: fitness from the told results, or {@link Pending}. */
    private final class Evaluator implements io.jenetics.engine.Evaluator<IntegerGene, Vec<double[]>> {

        @Override
        public ISeq<Phenotype<IntegerGene, Vec<double[]>>> eval(Seq<Phenotype<IntegerGene, Vec<double[]>>> population) {
            Set<Architecture> missing = new LinkedHashSet<>();
            List<Phenotype<IntegerGene, Vec<double[]>>> out = new ArrayList<>(population.size());
            int hits = 0;
            for (Phenotype<IntegerGene, Vec<double[]>> pt : population) {
                if (pt.isEvaluated()) {
                    out.add(pt);
                    continue;
                }
                Architecture a = space.decode(vector(pt.genotype()));
                Vec<double[]> f = told.get(a);
                if (f == null) {
                    missing.add(a);
                } else {
                    out.add(pt.withFitness(f));
                    hits++;
                }
            }
            if (!missing.isEmpty()) {
                throw new Pending(List.copyOf(missing));
            }
            repeats += hits;
            return ISeq.of(out);
        }
    }

    /** Uniform crossover of consecutive pairs: each position swapped with probability 1/2. */
    private static final class UniformCrossover implements Alterer<IntegerGene, Vec<double[]>> {

        private final double probability;

        UniformCrossover(double probability) {
            this.probability = probability;
        }

        @Override
        public AltererResult<IntegerGene, Vec<double[]>> alter(Seq<Phenotype<IntegerGene, Vec<double[]>>> population,
                long generation) {
            RandomGenerator random = RandomRegistry.random();
            MSeq<Phenotype<IntegerGene, Vec<double[]>>> pop = MSeq.of(population);
            int altered = 0;
            for (int i = 0; i + 1 < pop.size(); i += 2) {
                if (random.nextDouble() >= probability) {
                    continue;
                }
                MSeq<Chromosome<IntegerGene>> a = MSeq.of(pop.get(i).genotype());
                MSeq<Chromosome<IntegerGene>> b = MSeq.of(pop.get(i + 1).genotype());
                boolean changed = false;
                for (int k = 0; k < a.size(); k++) {
                    if (random.nextBoolean() && !a.get(k).equals(b.get(k))) {
                        Chromosome<IntegerGene> t = a.get(k);
                        a.set(k, b.get(k));
                        b.set(k, t);
                        changed = true;
                    }
                }
                if (changed) {
                    pop.set(i, Phenotype.of(Genotype.of(a), generation));
                    pop.set(i + 1, Phenotype.of(Genotype.of(b), generation));
                    altered += 2;
                }
            }
            return new AltererResult<>(pop.toISeq(), altered);
        }
    }

    /**
     * Each position set to another of its choices with probability p; at least one always changes. In a
     * compressed space with {@code prune_step} q > 0, a child instead has, with probability q, every pruning
     * ratio moved one listed ratio up or down together ({@link CompressedSpace#prunedStep}) and nothing else.
     */
    private static final class PositionMutator implements Alterer<IntegerGene, Vec<double[]>> {

        private final double probability;
        private final CompressedSpace compressed;
        private final double pruneStep;

        PositionMutator(double probability, CompressedSpace compressed, double pruneStep) {
            this.probability = probability;
            this.compressed = compressed;
            this.pruneStep = compressed == null ? 0 : pruneStep;
        }

        @Override
        public AltererResult<IntegerGene, Vec<double[]>> alter(Seq<Phenotype<IntegerGene, Vec<double[]>>> population,
                long generation) {
            RandomGenerator random = RandomRegistry.random();
            MSeq<Phenotype<IntegerGene, Vec<double[]>>> pop = MSeq.of(population);
            int altered = 0;
            for (int i = 0; i < pop.size(); i++) {
                if (pruneStep > 0 && random.nextDouble() < pruneStep) { // no draw at all when q is 0
                    Genotype<IntegerGene> gt = pop.get(i).genotype();
                    int[] v = CompressionMoves.step(compressed, vector(gt), random);
                    pop.set(i, Phenotype.of(genotype(gt, v), generation));
                    altered++;
                    continue;
                }
                MSeq<Chromosome<IntegerGene>> g = MSeq.of(pop.get(i).genotype());
                List<Integer> mutable = new ArrayList<>();
                for (int k = 0; k < g.size(); k++) {
                    if (g.get(k).gene().max() - g.get(k).gene().min() > 1) {
                        mutable.add(k);
                    }
                }
                if (mutable.isEmpty()) {
                    continue;
                }
                int forced = mutable.get(random.nextInt(mutable.size()));
                for (int k : mutable) {
                    if (k == forced || random.nextDouble() < probability) {
                        IntegerGene gene = g.get(k).gene();
                        int span = gene.max() - gene.min(); // max is exclusive
                        int next = gene.min() + random.nextInt(span - 1);
                        if (next >= gene.intValue()) {
                            next++;
                        }
                        g.set(k, IntegerChromosome.of(gene.newInstance(next)));
                    }
                }
                pop.set(i, Phenotype.of(Genotype.of(g), generation));
                altered++;
            }
            return new AltererResult<>(pop.toISeq(), altered);
        }
    }
}
