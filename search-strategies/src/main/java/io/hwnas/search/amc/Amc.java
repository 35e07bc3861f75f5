package io.hwnas.search.amc;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.search.Constraint;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyOptions;
import io.hwnas.search.StrategyRun;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code amc}: AMC-style compression (He et al., ECCV 2018) of one fixed network in a space with a
 * {@code compression} section. An agent walks the base network's MAC layers in order and, per layer,
 * picks the pruning ratio of the channel group the layer starts (if any), then its weight bits, then
 * its activation bits, each from a softmax whose logits are linear in the layer's state (index,
 * channels, kernel, stride, depthwise, MAC share, MACs still to come, the budget left, the previous
 * action, and a one-hot of the layer). Trained with REINFORCE and a moving-average baseline
 * (DDPG, as in the paper, is not built); the reward is the accuracy metric.
 *
 * <p>Budget, as AMC enforces it, by action clipping: every decision is taken with the layers after it
 * at their most aggressive settings (lowest bits, highest ratio); when the cost oracle predicts the
 * budget broken, the action is moved towards the aggressive end until it holds. So every candidate is
 * within the budget when the cost model never charges more for fewer bits or channels (the property
 * the cost models are tested for); a candidate that is not anyway is flagged in the report and
 * rewarded 0. A budget the most compressed network cannot meet is an error.
 *
 * <p>Options: {@code base} (required: the network, a string of the space with or without a
 * compression suffix; its architecture positions stay fixed), {@code budget}
 * ({@code {metric: latency_ms|energy_mj|model_bytes|peak_memory_bytes, device: D, max: X}} or
 * {@code ratio: R} of the base's predicted cost; default the problem's first constraint),
 * {@code accuracy} (default the first maximised objective), {@code learning_rate} (0.01; 0.1 and more made the policy collapse on a 50-layer network in tests),
 * {@code baseline_decay} (0.9), {@code entropy} (0.01), {@code evaluate_base} (true: the base network
 * is evaluated first, as the reference and as every candidate's parent for inherited weights),
 * {@code fill_budget} (false; true: after its actions, each episode spends the budget they left, relaxing one
 * decision at a time by one choice towards the base network's, always the relaxation the cost model charges least,
 * while the budget holds; so no single relaxation fits any more. The agent still learns from its own actions, with
 * the filled candidate's accuracy as the reward).
 */
public final class Amc implements SearchStrategy {

    private final Map<String, Object> raw;
    final String base;
    final Budget budget;
    final String accuracy;
    final double learningRate;
    final double baselineDecay;
    final double entropy;
    final boolean evaluateBase;
    final boolean fillBudget;

    public Amc() {
        this(Map.of());
    }

    private Amc(Map<String, ?> raw) {
        StrategyOptions o = new StrategyOptions(name(), raw, Set.of("base", "budget", "accuracy", "learning_rate",
                "baseline_decay", "entropy", "evaluate_base", "fill_budget"));
        this.raw = Map.copyOf(raw);
        this.base = o.text("base", "");
        this.budget = Budget.parse(raw.get("budget"));
        this.accuracy = o.text("accuracy", "auto");
        this.learningRate = o.number("learning_rate", 0.01, 1e-6, 10);
        this.baselineDecay = o.number("baseline_decay", 0.9, 0, 0.9999);
        this.entropy = o.number("entropy", 0.01, 0, 10);
        this.evaluateBase = o.bool("evaluate_base", true);
        this.fillBudget = o.bool("fill_budget", false);
    }

    @Override
    public String name() {
        return "amc";
    }

    @Override
    public SearchStrategy withOptions(Map<String, ?> options) {
        return new Amc(StrategyOptions.merged(raw, options));
    }

    @Override
    public Map<String, Object> options() {
        return StrategyOptions.ordered("base", base.isEmpty() ? "required" : base, "budget", budget.toOption(),
                "accuracy", accuracy, "learning_rate", learningRate, "baseline_decay", baselineDecay,
                "entropy", entropy, "evaluate_base", evaluateBase, "fill_budget", fillBudget);
    }

    /**
     * @throws IllegalArgumentException when the space has no compression section, {@code base} is missing
     *                                  or not an architecture of the space, or no budget can be found or met
     */
    @Override
    public StrategyRun start(SearchProblem problem, long seed) {
        if (!(problem.space() instanceof CompressedSpace space)) {
            throw new IllegalArgumentException("strategy amc needs a space with a compression section"
                    + " (space.compression), but space " + problem.space().name() + " has none");
        }
        if (base.isEmpty() || base.equals("required")) {
            throw new IllegalArgumentException("strategy amc: option base is required: the architecture string of"
                    + " the network to compress");
        }
        Architecture b;
        try {
            b = baseArchitecture(space, base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("strategy amc: option base = " + base + " is not an architecture of"
                    + " space " + space.name() + ": " + e.getMessage(), e);
        }
        String acc = accuracy.equals("auto") ? problem.objectives().stream().filter(Objective::maximize)
                .map(Objective::metric).findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "strategy amc needs an accuracy metric: the problem has no maximised objective; set the"
                                + " option accuracy")) : accuracy;
        String metric;
        double max;
        if (budget.equals(Budget.NONE)) {
            Constraint c = problem.constraints().stream().filter(x -> problem.oracle().predict(x.metric(), b)
                    .isPresent()).findFirst().orElseThrow(() -> new IllegalArgumentException("strategy amc needs a"
                            + " budget: the option budget {metric, device, max or ratio}, or a constraint the cost"
                            + " models predict (devices: constraints:)"));
            metric = c.metric();
            max = c.max();
        } else {
            metric = budget.metricName(problem);
            max = budget.max() > 0 ? budget.max() : budget.ratio() * predict(problem, metric, b);
        }
        return new AmcRun(this, problem, space, b, metric, max, acc, seed);
    }

    /**
     * The base network: the string as parsed, or, without a compression suffix, its base architecture
     * with every layer at the widest bits and nothing pruned.
     */
    static Architecture baseArchitecture(CompressedSpace space, String text) {
        if (text.contains("#q=")) {
            return space.parse(text);
        }
        Architecture plain = space.base().parse(text);
        int[] c = space.choices();
        int[] v = Arrays.copyOf(plain.vectorArray(), c.length);
        var slots = space.slots(space.decode(v));
        for (var l : slots.layers()) {
            v[l.weightPosition()] = c[l.weightPosition()] - 1;
            v[l.activationPosition()] = c[l.activationPosition()] - 1;
        }
        return space.decode(v);
    }

    static double predict(SearchProblem problem, String metric, Architecture a) {
        OptionalDouble p = problem.oracle().predict(metric, a);
        if (p.isEmpty() || !(p.getAsDouble() >= 0)) {
            throw new IllegalArgumentException("strategy amc: the cost oracle predicts no " + metric + " for "
                    + a.canonical() + (p.isEmpty() ? "" : " (it gave " + p.getAsDouble() + ")")
                    + "; is the budget's device one of the run's devices?");
        }
        return p.getAsDouble();
    }

    /** The names of the metrics the budget may use. */
    public static List<String> budgetMetrics() {
        return Budget.METRICS;
    }
}
