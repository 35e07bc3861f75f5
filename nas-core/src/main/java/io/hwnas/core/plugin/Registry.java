package io.hwnas.core.plugin;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Plugins of one kind found with {@link ServiceLoader}, by name. Duplicate names are rejected; an
 * unknown name fails with the list of known ones.
 *
 * @param <T> the provider interface
 */
public final class Registry<T extends Named> {

    private final String kind;
    private final Map<String, T> byName;

    private Registry(String kind, Map<String, T> byName) {
        this.kind = kind;
        this.byName = Collections.unmodifiableMap(byName);
    }

    /** Loads every provider of {@code type} visible to its class loader. */
    public static <T extends Named> Registry<T> load(String kind, Class<T> type) {
        return of(kind, ServiceLoader.load(type, type.getClassLoader()).stream().map(ServiceLoader.Provider::get)
                .toList());
    }

    /** A registry over the given plugins. */
    public static <T extends Named> Registry<T> of(String kind, List<T> plugins) {
        Map<String, T> map = new TreeMap<>();
        for (T p : plugins) {
            T previous = map.putIfAbsent(p.name(), p);
            if (previous != null) {
                throw new IllegalStateException("two " + kind + " plugins are named '" + p.name() + "': "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return new Registry<>(kind, map);
    }

    /**
     * The plugin called {@code name}.
     *
     * @throws UnknownNameException naming the value and the known names
     */
    public T get(String name) {
        T p = byName.get(name);
        if (p == null) {
            throw new UnknownNameException(kind, name, names());
        }
        return p;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Known names, sorted. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** Known plugins, sorted by name. */
    public List<T> all() {
        return List.copyOf(byName.values());
    }
}
