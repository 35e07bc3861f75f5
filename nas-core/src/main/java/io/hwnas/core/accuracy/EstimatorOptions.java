package io.hwnas.core.accuracy;

import io.hwnas.core.space.Options;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an estimator's options: unknown names and bad values fail with messages naming the
 * estimator, option, value and what is allowed (the style of {@link Options}), plus reals and
 * free text.
 */
public final class EstimatorOptions {

    private final String owner;
    private final Map<String, ?> values;
    private final Options options;

    public EstimatorOptions(String owner, Map<String, ?> values, Set<String> allowed) {
        this.owner = owner;
        this.values = values == null ? Map.of() : values;
        this.options = new Options(owner, this.values, allowed);
    }

    public boolean bool(String key, boolean fallback) {
        return options.bool(key, fallback);
    }

    public String choice(String key, String fallback, List<String> allowed) {
        return options.string(key, fallback, allowed);
    }

    public int integer(String key, int fallback, int min, int max) {
        return options.integer(key, fallback, min, max);
    }

    /** A number in {@code [min, max]}. */
    public double real(String key, double fallback, double min, double max) {
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

    /** A non-empty string, or {@code fallback} when absent. */
    public String text(String key, String fallback) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s) || s.isBlank()) {
            throw bad(key, v, "a non-empty string");
        }
        return s;
    }

    /** A non-empty list of names, each one of {@code allowed}. */
    public List<String> names(String key, List<String> fallback, List<String> allowed) {
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        List<?> list = v instanceof List<?> l ? l : List.of(String.valueOf(v).split(","));
        if (list.isEmpty()) {
            throw bad(key, v, "a non-empty list of " + allowed);
        }
        List<String> out = new java.util.ArrayList<>();
        for (Object o : list) {
            String s = String.valueOf(o).trim();
            if (!allowed.contains(s)) {
                throw bad(key, v, "a non-empty list of " + allowed);
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException(owner + ": option " + key + " = " + value + " is not allowed; expected "
                + allowed);
    }
}
