package io.hwnas.core.space;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a space's options map with checks whose messages name the option, value and what is allowed. */
public final class Options {

    private final String owner;
    private final Map<String, ?> values;

    public Options(String owner, Map<String, ?> values, Set<String> allowed) {
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
                    + unknown + "; allowed options are " + new java.util.TreeSet<>(allowed));
        }
    }

    public boolean bool(String key, boolean fallback) {
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

    public String string(String key, String fallback, List<String> allowed) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        String s = String.valueOf(v);
        if (!allowed.contains(s)) {
            throw bad(key, v, "one of " + allowed);
        }
        return s;
    }

    public int integer(String key, int fallback, int min, int max) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            int i = v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? n.intValue()
                    : Integer.parseInt(String.valueOf(v));
            if (i < min || i > max) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer in " + min + ".." + max);
        }
    }

    /** A non-empty list of positive integers. */
    public List<Integer> integers(String key, List<Integer> fallback) {
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
    public List<Double> numbers(String key, List<Double> fallback) {
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

    /** Puts entries into an ordered map (for {@code options()}). */
    public static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException(
                owner + ": option " + key + " = " + value + " is not allowed; expected " + allowed);
    }
}
