package io.hwnas.search;

import io.hwnas.core.arch.Architecture;
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
}
