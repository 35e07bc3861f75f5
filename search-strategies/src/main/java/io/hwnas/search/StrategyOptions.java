package io.hwnas.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a strategy's options with checks whose messages name the strategy, option, value and what is
 * allowed. The value {@code auto} (what {@code options()} shows for computed defaults) means the default.
 */
public final class StrategyOptions {

    private final String owner;
    private final Map<String, Object> values;

    /**
     * @throws IllegalArgumentException naming every unknown option and the allowed ones
     */
    public StrategyOptions(String strategy, Map<String, ?> values, Set<String> allowed) {
        this.owner = "strategy " + strategy;
        Map<String, Object> v = new LinkedHashMap<>();
        if (values != null) {
            values.forEach((k, x) -> {
                if (!"auto".equals(x)) {
                    v.put(k, x);
                }
            });
        }
        this.values = v;
        List<String> unknown = new ArrayList<>();
        for (String k : values == null ? Set.<String>of() : values.keySet()) {
            if (!allowed.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(owner + ": unknown option" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + "; allowed options are " + new TreeSet<>(allowed));
        }
    }

    public int integer(String key, int fallback, int min, int max) {
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

    public double number(String key, double fallback, double min, double max) {
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

    public String string(String key, String fallback, List<String> allowed) {
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

    /** A map from metric name to a positive number, e.g. {@code {latency_ms@raspi4: 20}}. */
    public Map<String, Double> positiveNumbers(String key, Map<String, Double> fallback) {
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
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Puts entries into an ordered, unmodifiable map (for {@code options()}). */
    public static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
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
