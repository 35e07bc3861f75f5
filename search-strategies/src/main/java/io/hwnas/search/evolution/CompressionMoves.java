package io.hwnas.search.evolution;

import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.search.StrategyOptions;
import java.util.Map;
import java.util.random.RandomGenerator;

/** What NSGA-II and aging evolution share for a space with a {@code compression} section. */
final class CompressionMoves {

    private CompressionMoves() {
    }

    /** {@code start_unpruned} and {@code prune_step} as listed in a strategy's options: only when set. */
    static Map<String, Object> options(boolean startUnpruned, double pruneStep) {
        return StrategyOptions.merged(startUnpruned ? StrategyOptions.ordered("start_unpruned", true) : Map.of(),
                pruneStep > 0 ? StrategyOptions.ordered("prune_step", pruneStep) : Map.of());
    }

    /** {@code parent} with every group's pruning one listed ratio up or down, the direction drawn at random. */
    static int[] step(CompressedSpace space, int[] parent, RandomGenerator random) {
        return space.prunedStep(parent, random.nextBoolean() ? 1 : -1);
    }
}
