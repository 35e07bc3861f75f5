package io.hwnas.experiments.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A view of one config object that reads typed fields and records problems instead of failing. */
final class Node {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    private final Problems problems;
    private final String path;
    private final JsonNode node;

    Node(Problems problems, String path, JsonNode node) {
        this.problems = problems;
        this.path = path;
        this.node = node;
    }

    boolean isObject() {
        return node != null && node.isObject();
    }

    boolean has(String field) {
        return node != null && node.has(field) && !node.get(field).isNull();
    }

    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** Records every field not in {@code allowed}. */
    void allowOnly(String... allowed) {
        if (node == null || !node.isObject()) {
            return;
        }
        Set<String> ok = new TreeSet<>(List.of(allowed));
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!ok.contains(n)) {
                problems.unknownField(path(n), List.copyOf(ok));
            }
        }
    }

    Node object(String field, boolean required) {
        JsonNode n = node == null ? null : node.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                problems.missing(path(field), "a section");
            }
            return new Node(problems, path(field), null);
        }
        if (!n.isObject()) {
            problems.notAllowed(path(field), text(n), "a section (key: value lines)");
            return new Node(problems, path(field), null);
        }
        return new Node(problems, path(field), n);
    }

    List<Node> list(String field, boolean required) {
        JsonNode n = node == null ? null : node.get(field);
        List<Node> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            if (required) {
                problems.missing(path(field), "a list");
            }
            return out;
        }
        if (!n.isArray()) {
            problems.notAllowed(path(field), text(n), "a list");
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            out.add(new Node(problems, path(field) + "[" + i + "]", n.get(i)));
        }
        return out;
    }

    String string(String field, String fallback, boolean required) {
        JsonNode n = node == null ? null : node.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                problems.missing(path(field), "a value");
            }
            return fallback;
        }
        if (!n.isValueNode() || n.isBoolean()) {
            problems.notAllowed(path(field), text(n), "a string");
            return fallback;
        }
        return n.asText();
    }

    /** The node itself as a string (for list items). */
    String asString() {
        if (node == null || !node.isValueNode()) {
            problems.notAllowed(path, text(node), "a string");
            return null;
        }
        return node.asText();
    }

    long integer(String field, long fallback, long min, long max) {
        JsonNode n = node == null ? null : node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        // canConvertToLong first: asLong() of an integer beyond the long range wraps
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            problems.notAllowed(path(field), text(n), "an integer in " + min + ".." + max);
            return fallback;
        }
        return n.asLong();
    }

    Double number(String field, Double fallback, double min) {
        JsonNode n = node == null ? null : node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber() || !(n.asDouble() >= min) || Double.isInfinite(n.asDouble())) {
            problems.notAllowed(path(field), text(n), "a number >= " + min);
            return fallback;
        }
        return n.asDouble();
    }

    boolean bool(String field, boolean fallback) {
        JsonNode n = node == null ? null : node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            problems.notAllowed(path(field), text(n), "true or false");
            return fallback;
        }
        return n.asBoolean();
    }

    /** A free-form map (plugin options), as plain Java values. */
    @SuppressWarnings("unchecked")
    Map<String, Object> map(String field) {
        JsonNode n = node == null ? null : node.get(field);
        if (n == null || n.isNull()) {
            return Map.of();
        }
        if (!n.isObject()) {
            problems.notAllowed(path(field), text(n), "a section of options (key: value lines)");
            return Map.of();
        }
        return new LinkedHashMap<>(PLAIN.convertValue(n, Map.class));
    }

    /** The node as the value a message shows: strings quoted by the caller, numbers and booleans bare. */
    static Object text(JsonNode n) {
        if (n == null) {
            return "null";
        }
        if (n.isNumber()) {
            return n.numberValue();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        return n.isTextual() ? n.asText() : n.toString();
    }
}
