package io.hwnas.core.plugin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the options map of a plugin (a space, an estimator, a strategy): unknown names fail at
 * construction, and every bad value fails with a message naming the owner, the option, the value
 * and what is allowed. Absent options give the caller's fallback.
 */
public class PluginOptions {

    private final String owner;
    private final Map<String, ?> values;

    /**
     * @param owner   how messages name the plugin, e.g. {@code "space nb201"}
     * @param values  the options as read from a config or the command line (null: none)
     * @param allowed the option names the plugin knows
     * @throws IllegalArgumentException naming every unknown option and the allowed ones
     */
    public PluginOptions(String owner, Map<String, ?> values, Set<String> allowed) {
        this.owner = owner;
        this.values = values == null ? Map.of() : values;
        List<String> unknown = new ArrayList<>();
        for (String k : this.values.keySet()) {
            if (!allowed.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(owner + ": unknown option" + (unknown.size() > 1 ? "s " : " ")
                    + unknown + "; allowed options are " + new TreeSet<>(allowed));
        }
    }

    /** {@code true} or {@code false}. */
    public final boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if ("true".equals(String.valueOf(v)) || "false".equals(String.valueOf(v))) {
            return Boolean.parseBoolean(String.valueOf(v));
        }
        throw bad(key, v, "true or false");
    }

    /** One of {@code allowed} (any string when {@code allowed} is empty). */
    public final String string(String key, String fallback, List<String> allowed) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        String s = String.valueOf(v);
        if (!allowed.isEmpty() && !allowed.contains(s)) {
            throw bad(key, v, "one of " + allowed);
        }
        return s;
    }

    /** A non-empty string. */
    public final String text(String key, String fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s) || s.isBlank()) {
            throw bad(key, v, "a non-empty string");
        }
        return s;
    }

    /** An integer in {@code [min, max]} (a number or a string; {@code 3.0} counts as 3). */
    public final int integer(String key, int fallback, int min, int max) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
            if (d != Math.rint(d) || d < min || d > max) {
                throw new NumberFormatException();
            }
            return (int) d;
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer in " + min + ".." + max);
        }
    }

    /** A number in {@code [min, max]}. */
    public final double number(String key, double fallback, double min, double max) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(v));
            if (!(d >= min && d <= max)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw bad(key, v, "a number in [" + min + ", " + max + "]");
        }
    }

    /** A non-empty list of names (or a comma-separated string), each one of {@code allowed}. */
    public final List<String> names(String key, List<String> fallback, List<String> allowed) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        List<?> list = v instanceof List<?> l ? l : List.of(String.valueOf(v).split(","));
        if (list.isEmpty()) {
            throw bad(key, v, "a non-empty list of " + allowed);
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            String s = String.valueOf(o).trim();
            if (!allowed.contains(s)) {
                throw bad(key, v, "a non-empty list of " + allowed);
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    /** A non-empty list of positive integers. */
    public final List<Integer> integers(String key, List<Integer> fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw bad(key, v, "a non-empty list of positive integers");
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Number n) || n.intValue() <= 0 || n.doubleValue() != n.intValue()) {
                throw bad(key, v, "a non-empty list of positive integers");
            }
            out.add(n.intValue());
        }
        return List.copyOf(out);
    }

    /** A non-empty list of positive numbers. */
    public final List<Double> numbers(String key, List<Double> fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw bad(key, v, "a non-empty list of positive numbers");
        }
        List<Double> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Number n) || !(n.doubleValue() > 0)) {
                throw bad(key, v, "a non-empty list of positive numbers");
            }
            out.add(n.doubleValue());
        }
        return List.copyOf(out);
    }

    /** A non-empty map from name to a positive number, e.g. {@code {latency_ms@raspi4: 20}}. */
    public final Map<String, Double> positiveNumbers(String key, Map<String, Double> fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Map<?, ?> m) || m.isEmpty()) {
            throw bad(key, v, "a non-empty map from metric name to a positive number");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            double d;
            try {
                d = e.getValue() instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(e.getValue()));
            } catch (NumberFormatException ex) {
                d = Double.NaN;
            }
            if (!(d > 0) || Double.isInfinite(d)) {
                throw bad(key + "." + e.getKey(), e.getValue(), "a positive number");
            }
            out.put(String.valueOf(e.getKey()), d);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Puts entries into an ordered, unmodifiable map (for a plugin's {@code options()}). */
    public static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The options merged over a base (e.g. the current options), later keys winning. */
    public static Map<String, Object> merged(Map<String, ?> base, Map<String, ?> over) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        if (over != null) {
            m.putAll(over);
        }
        return m;
    }

    private IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException(owner + ": option " + key + " = " + value + " is not allowed; expected "
                + allowed);
    }
}
