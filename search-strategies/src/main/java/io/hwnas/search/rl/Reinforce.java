package io.hwnas.search.rl;

import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyOptions;
import io.hwnas.search.StrategyRun;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code reinforce}: a MnasNet-style controller (Tan et al., 2019) trained with REINFORCE and a
 * moving-average baseline on the reward {@code ACC x prod_d (LAT_d / T_d)^w}, where
 * {@code w = alpha} when {@code LAT_d <= T_d} and {@code beta} otherwise: soft ({@code alpha = beta = w},
 * default -0.07) or hard ({@code alpha = 0, beta = -1}). Several devices multiply their terms.
 *
 * <p>The policy is factorised: an independent softmax over the choices of every decision position
 * ({@link FactorisedPolicy}), not MnasNet's LSTM. Why: the decision vectors here are short (6 for
 * NB201, 87 for mobilenet) and search budgets are hundreds of evaluations, where a factorised policy
 * has far fewer parameters to learn from that few rewards (ENAS, ProxylessNAS and later MnasNet
 * reproductions use it too); and it keeps strategies free of DJL, which only the code that runs
 * networks may touch, so a policy step is a few array operations and exactly reproducible.
 *
 * <p>Targets: with the option {@code targets} (metric to T, e.g. {@code {latency_ms@raspi4: 20}}), or
 * else the bounds of the problem's constraints on minimised objectives, one controller searches for
 * that target, as in MnasNet. With neither, {@code ladder} controllers (default 3) share the budget
 * round-robin so that together they cover the Pareto front rather than one point of it: in soft mode
 * the k-th uses the exponent {@code w x 4^(k - (K-1)/2)} (for K = 3: w/4, w, 4w), in hard mode it
 * targets the (k + 1/2)/K quantile of every minimised objective in the first batch. The defaults
 * (ladder 3, learning rate 0.4) were chosen on NAS-Bench-201 tables at 300 evaluations.
 *
 * <p>Other options: {@code mode} (soft or hard), {@code w} (the soft exponent),
 * {@code accuracy} (the metric of ACC; default the first maximised objective), {@code learning_rate},
 * {@code baseline_decay}, {@code entropy} (bonus weight keeping the policy exploring).
 */
public final class Reinforce implements SearchStrategy {

    private final Map<String, Object> raw;
    final Map<String, Double> targets;
    final String mode;
    final double w;
    final String accuracy;
    final double learningRate;
    final double baselineDecay;
    final double entropy;
    final int ladder;

    public Reinforce() {
        this(Map.of());
    }

    private Reinforce(Map<String, ?> raw) {
        StrategyOptions o = new StrategyOptions(name(), raw,
                Set.of("targets", "mode", "w", "accuracy", "learning_rate", "baseline_decay", "entropy", "ladder"));
        this.raw = Map.copyOf(raw);
        this.targets = Map.copyOf(o.positiveNumbers("targets", Map.of()));
        this.mode = o.string("mode", "soft", List.of("soft", "hard"));
        this.w = o.number("w", -0.07, -10, 0);
        this.accuracy = o.string("accuracy", "", List.of());
        this.learningRate = o.number("learning_rate", 0.4, 1e-6, 10);
        this.baselineDecay = o.number("baseline_decay", 0.9, 0, 0.9999);
        this.entropy = o.number("entropy", 0.0, 0, 10);
        this.ladder = o.integer("ladder", 3, 1, 1000);
    }

    @Override
    public String name() {
        return "reinforce";
    }

    @Override
    public SearchStrategy withOptions(Map<String, ?> options) {
        return new Reinforce(StrategyOptions.merged(raw, options));
    }

    @Override
    public Map<String, Object> options() {
        return StrategyOptions.ordered("targets", targets.isEmpty() ? "auto" : targets, "mode", mode, "w", w,
                "accuracy", accuracy.isEmpty() ? "auto" : accuracy, "learning_rate", learningRate,
                "baseline_decay", baselineDecay, "entropy", entropy, "ladder", ladder);
    }

    @Override
    public StrategyRun start(SearchProblem problem, long seed) {
        String acc = accuracy.isEmpty() || accuracy.equals("auto")
                ? problem.objectives().stream().filter(Objective::maximize).map(Objective::metric).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("strategy reinforce needs an accuracy metric:"
                                + " the problem has no maximised objective; set the option accuracy"))
                : accuracy;
        return new ReinforceRun(this, problem, seed, acc);
    }
}
