package io.hwnas.core.space.compress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code compression} section of a space: the weight bit widths ({@code bits}), activation bit
 * widths ({@code activation_bits}), channel-pruning ratios ({@code prune}) and whether binary (1-bit,
 * XNOR-style) weights are a choice ({@code binary}).
 *
 * @param weightBits     the weight bit choices, ascending (1 first when binary)
 * @param activationBits the activation bit choices, ascending
 * @param prune          the pruning ratio choices in percent, ascending
 */
public record CompressionOptions(List<Integer> weightBits, List<Integer> activationBits, List<Integer> prune) {

    /** The bit widths a layer may take (32 is float). */
    public static final List<Integer> ALLOWED_BITS = List.of(2, 4, 8, 16, 32);
    /** What a pruning ratio may be. */
    public static final String ALLOWED_RATIO = "a multiple of 0.05 from 0 to 0.95";
    private static final List<String> FIELDS = List.of("bits", "activation_bits", "prune", "binary");

    public CompressionOptions {
        weightBits = List.copyOf(weightBits);
        activationBits = List.copyOf(activationBits);
        prune = List.copyOf(prune);
    }

    /** Every choice allowed: for reading any compressed architecture string. */
    public static CompressionOptions permissive() {
        List<Integer> ratios = new ArrayList<>();
        for (int r = 0; r <= 95; r += 5) {
            ratios.add(r);
        }
        List<Integer> w = new ArrayList<>(List.of(1));
        w.addAll(ALLOWED_BITS);
        return new CompressionOptions(w, ALLOWED_BITS, ratios);
    }

    /**
     * Reads a {@code compression} section (defaults: bits [8, 32], activation_bits [8, 32], prune [0],
     * binary false).
     *
     * @throws IllegalArgumentException naming each bad field ({@code compression.bits[1]}), its value and
     *                                  what is allowed
     */
    public static CompressionOptions parse(Object section) {
        List<String> bad = new ArrayList<>();
        CompressionOptions o = read(section, bad);
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", bad));
        }
        return o;
    }

    /** Every problem of a {@code compression} section, each naming its field; empty when it is good. */
    public static List<String> problems(Object section) {
        List<String> bad = new ArrayList<>();
        read(section, bad);
        return bad;
    }

    private static CompressionOptions read(Object section, List<String> bad) {
        if (!(section instanceof Map<?, ?> m)) {
            bad.add("compression = " + section + " is not allowed; expected a mapping of " + FIELDS);
            return null;
        }
        for (Object k : m.keySet()) {
            if (!FIELDS.contains(String.valueOf(k))) {
                bad.add("compression." + k + " is not a field; expected one of " + FIELDS);
            }
        }
        List<Integer> w = bits(m.get("bits"), "bits", bad);
        List<Integer> a = bits(m.get("activation_bits"), "activation_bits", bad);
        List<Integer> p = ratios(m.get("prune"), bad);
        Object binary = m.get("binary");
        if (binary != null && !(binary instanceof Boolean)) {
            bad.add("compression.binary = " + binary + " is not allowed; expected true or false");
        }
        if (!bad.isEmpty()) {
            return null;
        }
        List<Integer> weights = new ArrayList<>(w);
        if (Boolean.TRUE.equals(binary)) {
            weights.add(0, 1);
        }
        return new CompressionOptions(weights, a, p);
    }

    private static List<Integer> bits(Object value, String field, List<String> bad) {
        if (value == null) {
            return List.of(8, 32);
        }
        TreeSet<Integer> out = new TreeSet<>();
        List<?> items = asList(value, field, bad);
        for (int i = 0; i < items.size(); i++) {
            Object v = items.get(i);
            if (v instanceof Integer b && ALLOWED_BITS.contains(b)) {
                out.add(b);
            } else {
                bad.add("compression." + field + "[" + i + "] = " + v + " is not allowed; expected one of "
                        + ALLOWED_BITS);
            }
        }
        return new ArrayList<>(out);
    }

    private static List<Integer> ratios(Object value, List<String> bad) {
        if (value == null) {
            return List.of(0);
        }
        TreeSet<Integer> out = new TreeSet<>();
        List<?> items = asList(value, "prune", bad);
        for (int i = 0; i < items.size(); i++) {
            Object v = items.get(i);
            double r = v instanceof Number n ? n.doubleValue() : Double.NaN;
            long pct = Math.round(r * 100);
            if (Double.isFinite(r) && Math.abs(r * 100 - pct) < 1e-6 && pct % 5 == 0 && pct >= 0 && pct <= 95) {
                out.add((int) pct);
            } else {
                bad.add("compression.prune[" + i + "] = " + v + " is not allowed; expected " + ALLOWED_RATIO);
            }
        }
        return new ArrayList<>(out);
    }

    private static List<?> asList(Object value, String field, List<String> bad) {
        if (value instanceof List<?> l && !l.isEmpty()) {
            return l;
        }
        bad.add("compression." + field + " = " + value + " is not allowed; expected a non-empty list");
        return List.of();
    }

    /** The section as written back (for the resolved config and {@code options()}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean binary = weightBits.get(0) == 1;
        m.put("bits", binary ? weightBits.subList(1, weightBits.size()) : weightBits);
        m.put("activation_bits", activationBits);
        List<Double> ratios = new ArrayList<>();
        for (int p : prune) {
            ratios.add(p / 100.0);
        }
        m.put("prune", ratios);
        m.put("binary", binary);
        return m;
    }
}
