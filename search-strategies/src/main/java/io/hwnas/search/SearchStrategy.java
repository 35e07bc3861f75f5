package io.hwnas.search;

import io.hwnas.core.plugin.Named;
import java.util.Map;

/**
 * A search strategy (ask/tell): it proposes batches of architectures and is told their
 * evaluations; it never evaluates anything itself. Found by name with {@link SearchStrategies}.
 * A strategy is deterministic given its seed and the results it is told, which is what lets a
 * resumed run replay it from the journal.
 */
public interface SearchStrategy extends Named {

    /**
     * A copy with options set (the config's {@code strategy} section less its {@code name}).
     *
     * @throws IllegalArgumentException naming an unknown option, or a bad value and what is allowed
     */
    SearchStrategy withOptions(Map<String, ?> options);

    /** The options in force, defaults filled in. */
    Map<String, Object> options();

    /**
     * Checks the options that depend on the space searched (e.g. {@link InitialArchitectures}) before a run starts,
     * so that a bad config is refused before anything is written; nothing to check by default.
     *
     * @throws IllegalArgumentException naming the option, its value and why it does not fit the space
     */
    default void check(io.hwnas.core.space.SearchSpace space) {
    }

    /** Starts a run on a problem; all randomness comes from generators seeded with {@code seed}. */
    StrategyRun start(SearchProblem problem, long seed);
}
