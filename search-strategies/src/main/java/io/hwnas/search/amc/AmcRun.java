package io.hwnas.search.amc;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressionSlots;
import io.hwnas.search.AbstractRun;
import io.hwnas.search.Evaluation;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One {@code amc} run: the base network first (optionally), then batches of episodes, each one
 * compression of the base built layer by layer with clipped actions; one policy step per told episode.
 */
final class AmcRun extends AbstractRun {

    private static final int TRIES = 200;
    private static final int PREDICTIONS = 20_000;
    static final int PRUNE = 0;
    static final int WEIGHT_BITS = 1;
    static final int ACTIVATION_BITS = 2;

    /** One decision of an episode: its kind, its vector position and the layer whose state it sees. */
    record Decision(int kind, int position, int layer) {
    }

    /** What an episode did at one decision: the state it saw and the (clipped) action it took. */
    private record Step(int kind, double[] state, int action) {
    }

    private record Episode(List<Step> steps, double cost, int clipped, int filled) {
    }

    private final Amc config;
    private final CompressedSpace space;
    private final Architecture base;
    private final String metric;
    private final double max;
    private final String accuracy;
    private final RandomGenerator random;
    private final List<Decision> decisions;
    private final LayerStates states;
    private final LinearPolicy[] policies = new LinearPolicy[3];
    private final int[] floor;
    private final int[] baseVector;
    private final double floorCost;
    private final double baseCost;
    private final Map<String, Double> predictions = new HashMap<>();
    private final Map<Architecture, Episode> open = new HashMap<>();
    private final List<Double> rewards = new ArrayList<>();
    private final List<Double> costs = new ArrayList<>();
    private final List<String> flagged = new ArrayList<>();
    private double baseline = Double.NaN;
    private double spread;
    private int clipped;
    private int filled;
    private boolean baseProposed;
    private Evaluation baseEvaluation;
    private Evaluation best;

    AmcRun(Amc config, SearchProblem problem, CompressedSpace space, Architecture base, String metric, double max,
            String accuracy, long seed) {
        super(problem);
        this.config = config;
        this.space = space;
        this.base = base;
        this.metric = metric;
        this.max = max;
        this.accuracy = accuracy;
        this.random = Seeds.generator(seed, "amc");
        CompressionSlots slots = space.slots(base);
        this.decisions = decisions(slots);
        this.states = new LayerStates(slots);
        policies[WEIGHT_BITS] = new LinearPolicy(space.compression().weightBits().size(), states.size());
        policies[ACTIVATION_BITS] = new LinearPolicy(space.compression().activationBits().size(), states.size());
        policies[PRUNE] = new LinearPolicy(space.compression().prune().size(), states.size());
        this.baseVector = base.vectorArray();
        this.floor = baseVector.clone();
        for (Decision d : decisions) {
            floor[d.position()] = aggressive(d);
        }
        this.baseCost = Amc.predict(problem, metric, base);
        this.floorCost = predict(floor);
        if (floorCost > max) {
            throw new IllegalArgumentException("strategy amc: the budget " + metric + " <= " + max + " cannot be met:"
                    + " the base network at its most compressed (every layer at the lowest bits, every group at the"
                    + " highest pruning ratio) is predicted at " + floorCost + " (uncompressed: " + baseCost + ")");
        }
    }

    /** Per MAC layer in order: the ratio of the group it starts (if any), then its weight and activation bits. */
    static List<Decision> decisions(CompressionSlots slots) {
        List<Decision> out = new ArrayList<>();
        for (int t = 0; t < slots.layers().size(); t++) {
            for (CompressionSlots.GroupSlot g : slots.groups()) {
                if (g.firstLayer() == t) {
                    out.add(new Decision(PRUNE, g.position(), t));
                }
            }
            out.add(new Decision(WEIGHT_BITS, slots.layers().get(t).weightPosition(), t));
            out.add(new Decision(ACTIVATION_BITS, slots.layers().get(t).activationPosition(), t));
        }
        return out;
    }

    /** The most aggressive choice of a decision: the highest ratio, the lowest bits (choice lists ascend). */
    private int aggressive(Decision d) {
        return d.kind() == PRUNE ? policies[PRUNE].choices() - 1 : 0;
    }

    private double predict(int[] v) {
        String key = Arrays.toString(v);
        Double p = predictions.get(key);
        if (p == null) {
            p = Amc.predict(problem, metric, space.decode(v));
            if (predictions.size() >= PREDICTIONS) {
                predictions.clear(); // a cache only: predictions are deterministic
            }
            predictions.put(key, p);
        }
        return p;
    }

    @Override
    protected List<Architecture> propose(int remaining) {
        if (config.evaluateBase && !baseProposed) {
            baseProposed = true;
            if (claim(base)) {
                return List.of(base);
            }
        }
        List<Architecture> batch = new ArrayList<>();
        int n = batchSize(remaining);
        for (int t = 0; batch.size() < n && t < 2 * TRIES; t++) {
            int[] v = floor.clone();
            Episode e = episode(v, t >= TRIES); // uniform choices when the policy keeps repeating itself
            Architecture a = space.decode(v);
            if (claim(a)) {
                open.put(a, e);
                batch.add(a);
            }
        }
        if (batch.isEmpty()) {
            finish();
        }
        return batch;
    }

    /** Builds one compression into {@code v} (which starts at the floor), clipping actions to the budget. */
    private Episode episode(int[] v, boolean uniform) {
        double cost = floorCost;
        double[] previous = new double[3];
        List<Step> steps = new ArrayList<>();
        int clips = 0;
        for (Decision d : decisions) {
            double[] s = states.state(d, (max - cost) / max, previous[d.kind()]);
            LinearPolicy policy = policies[d.kind()];
            int agg = aggressive(d);
            int action = policy.sample(s, random, uniform);
            int step = agg > action ? 1 : -1;
            for (int a = action; a != agg; a += step) {
                v[d.position()] = a;
                double p = predict(v);
                if (p <= max) {
                    cost = p;
                    break;
                }
                clips += a == action ? 1 : 0;
                v[d.position()] = agg; // the floor for this position: within the budget by the invariant
            }
            int taken = v[d.position()];
            steps.add(new Step(d.kind(), s, taken));
            previous[d.kind()] = policy.choices() > 1 ? (double) taken / (policy.choices() - 1) : 0;
        }
        int relaxed = 0;
        if (config.fillBudget) {
            for (double c = fillOnce(v); !Double.isNaN(c); c = fillOnce(v)) {
                cost = c;
                relaxed++;
            }
        }
        return new Episode(List.copyOf(steps), cost, clips, relaxed);
    }

    /**
     * Relaxes, by one choice towards the base network's, the decision of {@code v} whose relaxation the cost model
     * charges least (the first such decision on ties) if that keeps the budget; returns the new cost, or NaN when
     * no relaxation fits.
     */
    private double fillOnce(int[] v) {
        int[] b = baseVector;
        int position = -1;
        int choice = 0;
        double least = Double.POSITIVE_INFINITY;
        for (Decision d : decisions) {
            int p = d.position();
            if (v[p] == b[p]) {
                continue;
            }
            int was = v[p];
            v[p] = was + Integer.signum(b[p] - was);
            double c = predict(v);
            if (c <= max && c < least) {
                least = c;
                position = p;
                choice = v[p];
            }
            v[p] = was;
        }
        if (position < 0) {
            return Double.NaN;
        }
        v[position] = choice;
        return least;
    }

    @Override
    protected void observe(List<Evaluation> results) {
        for (Evaluation e : results) {
            if (e.architecture().equals(base) && !open.containsKey(base)) {
                baseEvaluation = e;
                continue;
            }
            Episode episode = open.remove(e.architecture());
            clipped += episode.clipped();
            filled += episode.filled();
            costs.add(episode.cost());
            double measured = e.metric(metric);
            boolean within = episode.cost() <= max && !(measured > max * (1 + 1e-9));
            if (!within) {
                flagged.add(e.architecture().canonical());
            }
            boolean usable = within && e.isOk() && problem.feasible(e.metrics()) && Double.isFinite(e.metric(accuracy));
            double r = usable ? e.metric(accuracy) : 0;
            if (usable && (best == null || r > best.metric(accuracy))) {
                best = e;
            }
            learn(episode, r);
        }
    }

    private void learn(Episode episode, double r) {
        rewards.add(r);
        if (Double.isNaN(baseline)) {
            baseline = r;
            return;
        }
        double advantage = r - baseline;
        double decay = config.baselineDecay;
        spread = decay * spread + (1 - decay) * advantage * advantage;
        double scale = Math.sqrt(spread) > 1e-12 ? Math.sqrt(spread) : 1;
        for (Step s : episode.steps()) {
            policies[s.kind()].update(s.state(), s.action(), advantage / scale, config.learningRate, config.entropy);
        }
        baseline = decay * baseline + (1 - decay) * r;
    }

    /** With {@code evaluate_base}, every compression starts from the base network's weights. */
    @Override
    public Optional<Architecture> parentOf(Architecture proposed) {
        return config.evaluateBase && open.containsKey(proposed) ? Optional.of(base) : Optional.empty();
    }

    @Override
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("base", base.canonical());
        m.put("budget", io.hwnas.search.StrategyOptions.ordered("metric", metric, "max", max));
        m.put("base_cost", baseCost);
        m.put("most_compressed_cost", floorCost);
        m.put("base_accuracy", baseEvaluation == null ? Double.NaN : baseEvaluation.metric(accuracy));
        m.put("decisions", decisions.size());
        m.put("episodes", rewards.size());
        m.put("rewards", List.copyOf(rewards));
        m.put("costs", List.copyOf(costs));
        m.put("clipped_actions", clipped);
        if (config.fillBudget) {
            m.put("budget_fill_relaxations", filled);
        }
        m.put("over_budget", List.copyOf(flagged));
        if (best != null) {
            m.put("best", io.hwnas.search.StrategyOptions.ordered("arch", best.architecture().canonical(), "accuracy",
                    best.metric(accuracy), metric, best.metric(metric)));
        }
        return m;
    }

    double budgetMax() {
        return max;
    }

    String budgetMetric() {
        return metric;
    }
}
