package io.hwnas.search.netadapt;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyOptions;
import io.hwnas.search.StrategyRun;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code netadapt}: NetAdapt (Yang et al., 2018) on the {@code mobilenet} space. From a start network,
 * each iteration i lowers the latency target by {@code r0 x L0 x decay^(i-1)} (L0 the start's predicted
 * latency; r0 = 2.5%, decay 0.96 as in the paper), builds one candidate per layer by shrinking that
 * layer's output channels until the problem's {@link io.hwnas.search.CostOracle} predicts the target
 * is met, has the candidates evaluated as one
 * batch (by whatever accuracy estimator the runner uses: short fine-tuning or a proxy), keeps the most
 * accurate, and stops once the predicted latency is within the budget. {@link StrategyRun#report()}
 * holds the trajectory (latency and accuracy per iteration).
 *
 * <p>What a "layer" is ({@code granularity}): with {@code group} (the default) the layers whose
 * outputs a residual addition ties together shrink together, as NetAdapt does for residual
 * networks: one candidate per stage (every block's output channels, one channel-scale step at a
 * time) and one per block's expansion convolution (its hidden channels, expansion 6 to 4 to 3),
 * so no candidate loses a residual connection (a step at which a narrower stage would match its
 * input's width, and so gain one, is skipped). With {@code layer} every block's output channels
 * shrink alone; that breaks the additions into and out of the block.
 *
 * <p>Options: {@code start} (a mobilenet architecture string; default MobileNetV2's layout, k3e6 in
 * stages of depth 2, 3, 4, 3, 3 at the space's largest resolution and width 1.0), {@code metric}
 * (the latency metric; default the first minimised objective), {@code budget_ratio} (stop at this
 * share of L0, default 0.5) or {@code latency_budget} (an absolute bound, which wins), {@code r0},
 * {@code decay}, {@code max_iterations}, {@code accuracy} (default the first maximised objective),
 * {@code granularity} ({@code group} or {@code layer}).
 */
public final class NetAdapt implements SearchStrategy {

    private final Map<String, Object> raw;
    final String start;
    final String metric;
    final double budgetRatio;
    final double latencyBudget;
    final double r0;
    final double decay;
    final int maxIterations;
    final String accuracy;
    final String granularity;

    public NetAdapt() {
        this(Map.of());
    }

    private NetAdapt(Map<String, ?> raw) {
        StrategyOptions o = new StrategyOptions(name(), raw, Set.of("start", "metric", "budget_ratio",
                "latency_budget", "r0", "decay", "max_iterations", "accuracy", "granularity"));
        this.raw = Map.copyOf(raw);
        this.start = o.string("start", "auto", List.of());
        this.metric = o.string("metric", "auto", List.of());
        this.budgetRatio = o.number("budget_ratio", 0.5, 1e-6, 1);
        this.latencyBudget = o.number("latency_budget", 0, 0, Double.MAX_VALUE);
        this.r0 = o.number("r0", 0.025, 1e-6, 1);
        this.decay = o.number("decay", 0.96, 1e-6, 1);
        this.maxIterations = o.integer("max_iterations", 1000, 1, 1_000_000);
        this.accuracy = o.string("accuracy", "auto", List.of());
        this.granularity = o.string("granularity", "group", List.of("group", "layer"));
    }

    @Override
    public String name() {
        return "netadapt";
    }

    @Override
    public SearchStrategy withOptions(Map<String, ?> options) {
        return new NetAdapt(StrategyOptions.merged(raw, options));
    }

    @Override
    public Map<String, Object> options() {
        return StrategyOptions.ordered("start", start, "metric", metric, "budget_ratio", budgetRatio,
                "latency_budget", latencyBudget == 0 ? "auto" : latencyBudget, "r0", r0, "decay", decay,
                "max_iterations", maxIterations, "accuracy", accuracy, "granularity", granularity);
    }

    @Override
    public StrategyRun start(SearchProblem problem, long seed) {
        if (!(problem.space() instanceof MobilenetSpace space)) {
            throw new IllegalArgumentException("strategy netadapt works on the mobilenet space (it shrinks per-layer"
                    + " output channels), but the space is " + problem.space().name());
        }
        Architecture first = start.equals("auto") ? mobilenetV2(space) : space.parse(start);
        String lat = metric.equals("auto") ? firstObjective(problem, false) : metric;
        String acc = accuracy.equals("auto") ? firstObjective(problem, true) : accuracy;
        return new NetAdaptRun(this, problem, space, first, lat, acc);
    }

    private static String firstObjective(SearchProblem problem, boolean maximize) {
        return problem.objectives().stream().filter(o -> o.maximize() == maximize).map(Objective::metric).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("strategy netadapt needs a " + (maximize
                        ? "maximised (accuracy)" : "minimised (latency)") + " objective, or the option "
                        + (maximize ? "accuracy" : "metric")));
    }

    /** MobileNetV2's layout in the space: k3e6 blocks in stages of depth 2, 3, 4, 3, 3, full channels. */
    public static Architecture mobilenetV2(MobilenetSpace space) {
        int[] c = space.choices();
        int[] v = new int[c.length];
        v[0] = c[0] - 1; // the largest resolution
        @SuppressWarnings("unchecked")
        List<Double> widths = (List<Double>) space.options().get("widths");
        int w = widths.indexOf(1.0);
        v[1] = w >= 0 ? w : widths.size() - 1;
        int[] depthIndex = {0, 1, 2, 1, 1}; // depths 2, 3, 4, 3, 3
        for (int s = 0; s < depthIndex.length; s++) {
            v[MobilenetSpace.depthPosition(s)] = depthIndex[s];
            for (int l = 0; l < 4; l++) {
                v[MobilenetSpace.position(s, l, 1)] = 2; // expansion 6
            }
        }
        return space.decode(v);
    }

    /** The architecture with every active layer at the same channel-scale index (a uniform width multiplier). */
    public static Architecture uniformlyScaled(MobilenetSpace space, Architecture a, int scaleIndex) {
        Architecture out = a;
        for (int[] layer : layers(space, a)) {
            out = space.withChannelScale(out, layer[0], layer[1], scaleIndex);
        }
        return out;
    }

    /** The (stage, layer) pairs active in an architecture. */
    static List<int[]> layers(SearchSpace space, Architecture a) {
        int[] v = space.encode(a);
        int[] depths = {2, 3, 4};
        java.util.List<int[]> out = new java.util.ArrayList<>();
        for (int s = 0; s < 5; s++) {
            for (int l = 0; l < depths[v[MobilenetSpace.depthPosition(s)]]; l++) {
                out.add(new int[] {s, l});
            }
        }
        return out;
    }
}
