package io.hwnas.experiments.evaluate;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.CostTable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Optional;

/** One target device of a run, bound to its cost model: costs every evaluated architecture. */
public interface DeviceTarget {

    /** The device name used in metric names and file names. */
    String name();

    /** What this target is, e.g. {@code raspi4 (cpu model, batch 1)}. */
    String description();

    /** Predicted costs of one architecture; pure and thread-safe. */
    CostReport cost(Architecture architecture, Network network);

    /**
     * Predicted costs with the candidate's measured firing rates by activation layer (empty: none
     * measured); targets that are not spiking chips ignore them.
     */
    default CostReport cost(Architecture architecture, Network network, Map<String, Double> firingRates) {
        return cost(architecture, network);
    }

    /** True for a neuromorphic chip whose costs depend on firing rates. */
    default boolean spiking() {
        return false;
    }

    /** The firing rate a spiking target uses when none were measured (NaN for other targets). */
    default double defaultFiringRate() {
        return Double.NaN;
    }

    /** Hashes of the device profile and calibration files, for the manifest. */
    Map<String, String> hashes();

    /**
     * What keeps this target from costing architectures of search space {@code space} (its cost model's
     * {@link io.hwnas.cost.CostModel#check}), one line each; empty when it can.
     */
    default java.util.List<String> check(String space) {
        return java.util.List.of();
    }

    /** Why this target's costs carry no energy (NaN), or empty when they do. */
    default Optional<String> energyUnknown() {
        return Optional.empty();
    }

    /**
     * The allocation-free estimate table of this target for a space and network input (see
     * {@link CostTable}), or empty when its model has no fast path.
     */
    default Optional<CostTable> table(SearchSpace space, Shape input, int classes) {
        return Optional.empty();
    }

    /**
     * The key of the metric that says whether a candidate's latency on {@code device} was measured (1) or
     * predicted (0); only targets that measure write it (a cost report's detail {@value #LATENCY_MEASURED}).
     */
    static String latencyMeasured(String device) {
        return LATENCY_MEASURED + "@" + device;
    }

    /** The cost-report detail a measuring target sets to 1 (measured) or 0 (predicted). */
    String LATENCY_MEASURED = "latency_measured";

    /** As {@link #latencyMeasured}, for energy (targets that read a device's energy counter). */
    static String energyMeasured(String device) {
        return ENERGY_MEASURED + "@" + device;
    }

    /** The cost-report detail a target that reads an energy counter sets to 1 (measured) or 0 (predicted). */
    String ENERGY_MEASURED = "energy_measured";

    /** True for the cost-report details that say what was measured, not a figure of the network. */
    static boolean isMeasuredFlag(String detail) {
        return detail.equals(LATENCY_MEASURED) || detail.equals(ENERGY_MEASURED);
    }

    /**
     * The run asks for {@code batch} (in the strategy's order, replayed batches included) before evaluating it;
     * {@code networks} gives the run's network of an architecture. A target that measures some candidates picks
     * them from this order, so the choice does not depend on the order parallel evaluations finish in.
     */
    default void asked(List<Architecture> batch, Function<Architecture, Network> networks) {
    }

    /**
     * True when this target measures candidates from the search's own process (a device reached through an agent).
     * Cluster workers bind such a device to its cost model alone, and the search's process completes their
     * evaluations ({@link CandidateEvaluator#complete}), so a candidate is measured once, from where the device is
     * reachable.
     */
    default boolean measuredByDriver() {
        return false;
    }

    /** True when the Pareto members on this target get their latency measured ({@link #measured}). */
    default boolean measuresFronts() {
        return false;
    }

    /**
     * The costs of a candidate with its latency measured (detail {@value #LATENCY_MEASURED} 1).
     *
     * @throws DeviceUnavailableException when the device cannot be reached
     */
    default CostReport measured(Architecture architecture, Network network) {
        throw new UnsupportedOperationException(name() + " does not measure");
    }
}
