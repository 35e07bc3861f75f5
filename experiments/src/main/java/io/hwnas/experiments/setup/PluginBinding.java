package io.hwnas.experiments.setup;

import io.hwnas.core.plugin.Registry;
import io.hwnas.experiments.config.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Builds a config's plugins once, turning every bad name and option into a problem at its field path. */
final class PluginBinding {

    private PluginBinding() {
    }

    /** True when {@code name} is a plugin of {@code registry}; else a problem at {@code path}. */
    static boolean known(String path, String name, Registry<?> registry, Problems p) {
        if (name != null && !registry.contains(name)) {
            p.notAllowed(path, name, "one of " + registry.names());
            return false;
        }
        return name != null;
    }

    /**
     * The plugin {@code make} builds from {@code options}, or null after adding its problems: each
     * bad option at its path (see {@link #checkOptions}).
     */
    static <T> T build(String path, Map<String, Object> options, Function<Map<String, Object>, T> make, Problems p) {
        try {
            return make.apply(options);
        } catch (IllegalArgumentException e) {
            checkOptions(path, options, o -> make.apply(o), p);
            return null;
        }
    }

    /**
     * Finds the options to blame when a plugin does not build. A plugin stops at its first bad option,
     * so each option that fails on its own is tried with the options that pass on their own (options
     * that need a companion are not blamed): every bad option is reported, each at its path. When no
     * single option is to blame, the plugin's own message is.
     */
    static void checkOptions(String path, Map<String, Object> options,
            java.util.function.Consumer<Map<String, Object>> make, Problems p) {
        String whole;
        try {
            make.accept(options);
            return;
        } catch (IllegalArgumentException e) {
            whole = e.getMessage();
        }
        Map<String, Object> good = new LinkedHashMap<>();
        List<String> suspects = new ArrayList<>();
        for (Map.Entry<String, Object> e : options.entrySet()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put(e.getKey(), e.getValue());
            try {
                make.accept(one);
                good.put(e.getKey(), e.getValue());
            } catch (IllegalArgumentException x) {
                suspects.add(e.getKey());
            }
        }
        List<String> found = new ArrayList<>();
        for (String k : suspects) {
            Map<String, Object> with = new LinkedHashMap<>(good);
            with.put(k, options.get(k));
            try {
                make.accept(with);
            } catch (IllegalArgumentException x) {
                found.add(k);
                p.at(path + "." + k, x.getMessage());
            }
        }
        if (found.isEmpty()) {
            p.at(path, whole);
        }
    }
}
