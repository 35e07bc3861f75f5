package io.hwnas.core.space;

import io.hwnas.core.plugin.Registry;
import java.util.Map;

/** The search spaces on the class path, by name. */
public final class SearchSpaces {

    private static final class Holder {
        static final Registry<SearchSpace> REGISTRY = Registry.load("search space", SearchSpace.class);
    }

    private SearchSpaces() {
    }

    public static Registry<SearchSpace> registry() {
        return Holder.REGISTRY;
    }

    /** The space called {@code name} with its default options. */
    public static SearchSpace get(String name) {
        return registry().get(name);
    }

    /** The space called {@code name} with options set. */
    public static SearchSpace get(String name, Map<String, ?> options) {
        SearchSpace space = get(name);
        return options == null || options.isEmpty() ? space : space.withOptions(options);
    }
}
