package io.hwnas.search;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code initial} option of the population-based strategies: architectures their first generation holds
 * before the random ones, as Optuna's {@code enqueue_trial} or a population seeded with reference models. A
 * random first generation rarely holds a space's extremes (in the {@code mobilenet} space, a subnet with every
 * stage at depth 4 is one draw in 243), so a front's slow and fast ends are found late or never within a small
 * budget; listing them (or a known good model) anchors the search there. The architectures are evaluated like
 * any other (one each, within the budget), so a seeded run stays deterministic and resumable.
 */
public final class InitialArchitectures {

    /** The option's name. */
    public static final String OPTION = "initial";

    private static final InitialArchitectures NONE = new InitialArchitectures("", List.of());

    private final String strategy;
    private final List<String> texts;

    private InitialArchitectures(String strategy, List<String> texts) {
        this.strategy = strategy;
        this.texts = List.copyOf(texts);
    }

    /**
     * The option of {@code strategy} in {@code options}: absent, or a non-empty list of at most {@code max}
     * architecture strings.
     *
     * @throws IllegalArgumentException naming the strategy, the option, the value and what is allowed
     */
    public static InitialArchitectures of(String strategy, Map<String, ?> options, int max, String maxWhy) {
        Object v = options == null ? null : options.get(OPTION);
        if (v == null || "auto".equals(v)) {
            return NONE;
        }
        if (!(v instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(x -> x instanceof String)) {
            throw new IllegalArgumentException("strategy " + strategy + ": option " + OPTION + " must be a non-empty "
                    + "list of architecture strings (e.g. [\"r32-w0.5|k3e3,k3e3|...\"]), but was " + v);
        }
        if (list.size() > max) {
            throw new IllegalArgumentException("strategy " + strategy + ": option " + OPTION + " lists " + list.size()
                    + " architectures, but at most " + max + " fit (" + maxWhy + ")");
        }
        return new InitialArchitectures(strategy, list.stream().map(x -> (String) x).toList());
    }

    /** True when the option is absent. */
    public boolean isEmpty() {
        return texts.isEmpty();
    }

    /** The option's value as given, for {@code options()}. */
    public List<String> texts() {
        return texts;
    }

    /**
     * The architectures in {@code space}, in order.
     *
     * @throws IllegalArgumentException naming {@code initial[i]}, its text and why it is not an architecture of
     *         the space, or the earlier entry it repeats
     */
    public List<Architecture> resolve(SearchSpace space) {
        Map<Architecture, Integer> seen = new LinkedHashMap<>();
        List<Architecture> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            Architecture a;
            try {
                a = space.parse(texts.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("strategy " + strategy + ": " + OPTION + "[" + i + "] '"
                        + texts.get(i) + "' is not an architecture of space '" + space.name() + "': " + e.getMessage(),
                        e);
            }
            List<String> bad = space.violations(a.vectorArray());
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("strategy " + strategy + ": " + OPTION + "[" + i + "] '"
                        + texts.get(i) + "' is not a valid architecture of space '" + space.name() + "': " + bad);
            }
            Integer before = seen.putIfAbsent(a, i);
            if (before != null) {
                throw new IllegalArgumentException("strategy " + strategy + ": " + OPTION + "[" + i + "] repeats "
                        + OPTION + "[" + before + "] (" + a.canonical() + ")");
            }
            out.add(a);
        }
        return out;
    }
}
