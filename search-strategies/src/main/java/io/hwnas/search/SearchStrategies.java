package io.hwnas.search;

import io.hwnas.core.plugin.Registry;
import java.util.Map;

/** The search strategies on the class path, by name. */
public final class SearchStrategies {

    private static final class Holder {
        static final Registry<SearchStrategy> REGISTRY = Registry.load("search strategy", SearchStrategy.class);
    }

    private SearchStrategies() {
    }

    public static Registry<SearchStrategy> registry() {
        return Holder.REGISTRY;
    }

    public static SearchStrategy get(String name, Map<String, ?> options) {
        SearchStrategy s = registry().get(name);
        return options == null || options.isEmpty() ? s : s.withOptions(options);
    }
}
