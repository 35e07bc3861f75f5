package io.hwnas.search;

import io.hwnas.core.arch.Architecture;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Cheap predictions of metrics (analytical cost models) that a strategy may query without using
 * its budget, e.g. NetAdapt shrinking a layer until the predicted latency meets its step.
 */
@FunctionalInterface
public interface CostOracle {

    /** No predictions available. */
    CostOracle NONE = (metric, architecture) -> OptionalDouble.empty();

    /** The predicted value of {@code metric} for the architecture, if this oracle knows it. */
    OptionalDouble predict(String metric, Architecture architecture);

    /**
     * The predicted values of {@code metric} for many architectures, NaN where this oracle knows
     * none; oracles with a batch path (cost tables) override this loop.
     */
    default double[] predictAll(String metric, List<Architecture> architectures) {
        double[] out = new double[architectures.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = predict(metric, architectures.get(i)).orElse(Double.NaN);
        }
        return out;
    }
}
