package io.hwnas.core.accuracy;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.plugin.Named;
import io.hwnas.core.space.SearchSpace;
import java.util.Map;

/**
 * Scores the accuracy of a candidate: a published table, a zero-cost proxy on the untrained
 * network, or real short training. Found by name with {@link AccuracyEstimators}. Implementations
 * are immutable and thread-safe; {@link #estimate} may be called from several threads at once.
 */
public interface AccuracyEstimator extends Named {

    /**
     * A copy with options set (the config's {@code accuracy} section less its {@code name}).
     *
     * @throws IllegalArgumentException naming an unknown option, or a bad value and what is allowed
     */
    AccuracyEstimator withOptions(Map<String, ?> options);

    /** The options in force, defaults filled in. */
    Map<String, Object> options();

    /**
     * A copy that scores the network a run costs: {@code input} per sample and {@code classes}
     * outputs (the config's {@code space.input} and {@code space.classes}), instead of the space's
     * reference network. Estimators that build no network (a published table) return themselves.
     */
    default AccuracyEstimator forNetwork(Shape input, int classes) {
        return this;
    }

    /**
     * A copy checked against the run's search space (with its options). Estimators tied to one space (a trained
     * supernet) throw when it is another; the others return themselves.
     *
     * @throws IllegalArgumentException naming what differs
     */
    default AccuracyEstimator forSpace(SearchSpace space) {
        return this;
    }

    /**
     * The estimator that measures what this one predicts (a predictor's supernet), whose values a run reports for
     * its Pareto members instead of the predicted ones; empty for estimators that measure.
     */
    default java.util.Optional<AccuracyEstimator> measuredBy() {
        return java.util.Optional.empty();
    }

    /**
     * True when the value is an accuracy in percent (table, training), comparable across runs;
     * false for proxies, whose values only rank architectures.
     */
    boolean isAccuracy();

    /**
     * Scores one architecture; higher is better. Deterministic for a given seed.
     *
     * @param seed the seed of this evaluation (derived by the caller from the run seed and the
     *             architecture, never from call order)
     * @throws IllegalArgumentException if the architecture cannot be scored by this estimator
     *         (e.g. a table without that architecture)
     */
    Estimate estimate(SearchSpace space, Architecture architecture, long seed);

    /**
     * Scores one architecture with a place for its weights and its parent's ({@link WarmStart});
     * estimators that do not train score as {@link #estimate(SearchSpace, Architecture, long)} does.
     *
     * @param warm where weights go and come from, or {@code null} for none
     */
    default Estimate estimate(SearchSpace space, Architecture architecture, long seed, WarmStart warm) {
        return estimate(space, architecture, seed);
    }
}
