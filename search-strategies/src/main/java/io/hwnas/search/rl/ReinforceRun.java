package io.hwnas.search.rl;

import io.hwnas.core.arch.Architecture;
import io.hwnas.search.AbstractRun;
import io.hwnas.search.Constraint;
import io.hwnas.search.Evaluation;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** One REINFORCE run: sample a batch from the policy, be told rewards, take one policy step per sample. */
final class ReinforceRun extends AbstractRun {

    private static final int TRIES = 1_000;

    private final Reinforce config;
    private final String accuracy;
    private final RandomGenerator random;
    private final FactorisedPolicy[] policies;
    private final double[] baseline;
    private final double[] spread;
    private final Map<Architecture, Sample> sampled = new HashMap<>();
    private final List<Double> rewards = new ArrayList<>();
    private List<Map<String, Double>> targets;
    private int samples;

    /** Which controller drew an architecture, and the vector it drew. */
    private record Sample(int controller, int[] vector) {
    }

    ReinforceRun(Reinforce config, SearchProblem problem, long seed, String accuracy) {
        super(problem);
        this.config = config;
        this.accuracy = accuracy;
        this.random = Seeds.generator(seed, "reinforce");
        this.targets = initialTargets(config, problem);
        int k = targets == null ? config.ladder : 1;
        this.policies = new FactorisedPolicy[k];
        for (int i = 0; i < k; i++) {
            policies[i] = new FactorisedPolicy(problem.space().choices());
        }
        this.baseline = new double[k];
        this.spread = new double[k];
        Arrays.fill(baseline, Double.NaN);
    }

    private static List<Map<String, Double>> initialTargets(Reinforce config, SearchProblem problem) {
        if (!config.targets.isEmpty()) {
            return List.of(config.targets);
        }
        Map<String, Double> t = new LinkedHashMap<>();
        for (Objective o : problem.objectives()) {
            for (Constraint c : problem.constraints()) {
                if (!o.maximize() && c.metric().equals(o.metric()) && c.max() > 0) {
                    t.put(o.metric(), c.max());
                }
            }
        }
        return t.isEmpty() ? null : List.of(t); // null: quantiles of the first batch
    }

    @Override
    protected List<Architecture> propose(int remaining) {
        int n = batchSize(remaining);
        List<Architecture> batch = new ArrayList<>();
        while (batch.size() < n) {
            Architecture a = next();
            if (a == null) {
                break;
            }
            batch.add(a);
        }
        return batch;
    }

    /** A policy sample never proposed before; a uniform one when the policy keeps repeating itself. */
    private Architecture next() {
        int controller = samples++ % policies.length;
        for (int t = 0; t < TRIES; t++) {
            int[] v = policies[controller].sample(random);
            if (!problem.space().violations(v).isEmpty()) {
                continue;
            }
            Architecture a = problem.space().decode(v);
            if (claim(a)) {
                sampled.put(a, new Sample(controller, v));
                return a;
            }
        }
        for (int t = 0; t < TRIES; t++) {
            Architecture a = problem.space().sample(random);
            if (claim(a)) {
                sampled.put(a, new Sample(controller, a.vectorArray()));
                return a;
            }
        }
        return null;
    }

    @Override
    protected void observe(List<Evaluation> results) {
        if (targets == null) {
            targets = quantileTargets(results);
        }
        for (Evaluation e : results) {
            Sample sample = sampled.remove(e.architecture());
            int k = sample.controller();
            double r = reward(e, targets.get(Math.min(k, targets.size() - 1)), exponent(k));
            rewards.add(r);
            if (Double.isNaN(baseline[k])) {
                baseline[k] = r;
                continue;
            }
            double advantage = r - baseline[k];
            double decay = config.baselineDecay;
            spread[k] = decay * spread[k] + (1 - decay) * advantage * advantage;
            double scale = Math.sqrt(spread[k]) > 1e-12 ? Math.sqrt(spread[k]) : 1;
            policies[k].update(sample.vector(), advantage / scale, config.learningRate, config.entropy);
            baseline[k] = decay * baseline[k] + (1 - decay) * r;
        }
    }

    /**
     * One target per controller: for K controllers, the (k + 1/2)/K quantiles of every minimised
     * objective in the first batch (K = 1: the median), so the controllers spread along the front.
     */
    private List<Map<String, Double>> quantileTargets(List<Evaluation> first) {
        List<Map<String, Double>> out = new ArrayList<>();
        for (int k = 0; k < policies.length; k++) {
            double q = (k + 0.5) / policies.length;
            Map<String, Double> t = new LinkedHashMap<>();
            for (Objective o : problem.objectives()) {
                if (o.maximize()) {
                    continue;
                }
                double[] v = first.stream().filter(Evaluation::isOk).mapToDouble(e -> e.metric(o.metric()))
                        .filter(x -> x > 0 && Double.isFinite(x)).sorted().toArray();
                if (v.length > 0) {
                    double pos = q * (v.length - 1);
                    int lo = (int) Math.floor(pos);
                    int hi = Math.min(v.length - 1, lo + 1);
                    t.put(o.metric(), v[lo] + (pos - lo) * (v[hi] - v[lo]));
                }
            }
            out.add(t);
        }
        return out;
    }

    /** ACC x prod (LAT/T)^w; 0 for failed or infeasible results and missing metrics. */
    /**
     * The soft exponent of controller k: with a ladder of K controllers, w x 4^(k - (K-1)/2), so the
     * middle one uses w and the others weigh latency 4, 16, ... times less and more.
     */
    private double exponent(int k) {
        return config.w * Math.pow(4, k - (policies.length - 1) / 2.0);
    }

    double reward(Evaluation e, Map<String, Double> targets, double soft) {
        if (!e.isOk() || !problem.feasible(e.metrics())) {
            return 0;
        }
        double acc = e.metric(accuracy);
        if (!Double.isFinite(acc)) {
            return 0;
        }
        double r = acc;
        for (Map.Entry<String, Double> t : targets.entrySet()) {
            double lat = e.metric(t.getKey());
            if (!(lat > 0) || Double.isInfinite(lat)) {
                return 0;
            }
            boolean within = lat <= t.getValue();
            double w = config.mode.equals("hard") ? (within ? 0 : -1) : soft;
            r *= Math.pow(lat / t.getValue(), w);
        }
        return r;
    }

    @Override
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", "factorised softmax per position");
        m.put("controllers", policies.length);
        m.put("targets", targets == null ? List.of() : targets);
        m.put("rewards", List.copyOf(rewards));
        m.put("policy_entropy", Arrays.stream(policies).mapToDouble(FactorisedPolicy::entropy).toArray());
        return m;
    }

    /** The rewards of the told samples, in order. */
    double[] rewards() {
        return rewards.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public String toString() {
        return "reinforce run, " + rewards.size() + " rewards, targets " + targets;
    }
}
