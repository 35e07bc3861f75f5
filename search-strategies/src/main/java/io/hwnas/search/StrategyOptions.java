package io.hwnas.search;

import io.hwnas.core.plugin.PluginOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a strategy's options (see {@link PluginOptions}); messages name {@code strategy NAME}. The
 * value {@code auto} (what {@code options()} shows for computed defaults) means the default.
 */
public final class StrategyOptions extends PluginOptions {

    /**
     * @throws IllegalArgumentException naming every unknown option and the allowed ones
     */
    public StrategyOptions(String strategy, Map<String, ?> values, Set<String> allowed) {
        super("strategy " + strategy, withoutAuto(values), allowed);
    }

    private static Map<String, Object> withoutAuto(Map<String, ?> values) {
        Map<String, Object> v = new LinkedHashMap<>();
        if (values != null) {
            values.forEach((k, x) -> v.put(k, "auto".equals(x) ? null : x));
        }
        return v;
    }
}
