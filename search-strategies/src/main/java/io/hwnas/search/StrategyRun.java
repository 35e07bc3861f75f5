package io.hwnas.search;

import io.hwnas.core.arch.Architecture;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One run of a strategy: ask for a batch, tell its results, until it returns an empty batch. */
public interface StrategyRun {

    /**
     * The next batch of distinct architectures never proposed before in this run; empty when the
     * budget is spent or the strategy has finished. Must not be called again before the previous
     * batch was told.
     */
    List<Architecture> ask();

    /** The evaluations of the last asked batch, in the same order. */
    void tell(List<Evaluation> results);

    /**
     * The architecture a proposed one was derived from and may start from when it is trained
     * (NetAdapt: the network it was shrunk from), if the strategy has one. Asked for the
     * architectures of the last batch, before they are told.
     */
    default Optional<Architecture> parentOf(Architecture proposed) {
        return Optional.empty();
    }

    /** What the strategy wants reported about its run (trajectories, rewards, ...); may be empty. */
    default Map<String, Object> report() {
        return Map.of();
    }
}
