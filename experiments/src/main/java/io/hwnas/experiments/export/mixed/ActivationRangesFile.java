package io.hwnas.experiments.export.mixed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The activation ranges of a network's MAC-layer inputs, as the quantisation convention's JSON file holds them:
 * {@code {"format": "hwnas-activation-ranges/1", "layers": {"<IR layer name>": {"lo": -0.1, "hi": 3.2}}}}, keyed
 * by the MAC layer whose input the range is; written by calibration or QAT, read strictly.
 */
public final class ActivationRangesFile {

    /** The value of the {@code format} field. */
    public static final String FORMAT = "hwnas-activation-ranges/1";

    /**
     * One layer's input range.
     *
     * @param lo the lower end
     * @param hi the upper end, at least {@code lo}
     */
    public record Range(float lo, float hi) {
    }

    private final String source;
    private final Map<String, Range> layers;

    /**
     * @param source how messages name where the ranges came from (a file, or "calibration")
     * @param layers the ranges by layer name
     */
    public ActivationRangesFile(String source, Map<String, Range> layers) {
        this.source = source;
        this.layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }

    /** The ranges by layer name, in file order. */
    public Map<String, Range> layers() {
        return layers;
    }

    /** Where the ranges came from. */
    public String source() {
        return source;
    }

    /**
     * The range of layer {@code name}.
     *
     * @throws IllegalArgumentException naming the source and the layer when it has none
     */
    public Range require(String name) {
        Range r = layers.get(name);
        if (r == null) {
            throw new IllegalArgumentException(source + ": layers." + name + " is missing; the network quantises the"
                    + " input of MAC layer " + name + " and needs its range {lo, hi}");
        }
        return r;
    }

    /**
     * Reads a ranges file strictly.
     *
     * @throws IllegalArgumentException naming the file, the field and the value: not JSON, another format, a
     *                                  range that is not two finite numbers with lo &lt;= hi, an unknown field
     */
    public static ActivationRangesFile read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("ranges file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("ranges file " + file + " is not JSON: " + e.getMessage(), e);
        }
        String where = "ranges file " + file;
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(where + ": expected a JSON object with format and layers");
        }
        onlyFields(where, "", root, "format", "layers");
        JsonNode format = root.get("format");
        if (format == null || !FORMAT.equals(format.asText(null))) {
            throw new IllegalArgumentException(where + ": format = " + format + "; expected \"" + FORMAT + "\"");
        }
        JsonNode layers = root.get("layers");
        if (layers == null || !layers.isObject()) {
            throw new IllegalArgumentException(where + ": layers = " + layers
                    + "; expected an object {\"<layer>\": {\"lo\": L, \"hi\": H}}");
        }
        Map<String, Range> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = layers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = "layers." + e.getKey();
            JsonNode r = e.getValue();
            if (!r.isObject()) {
                throw new IllegalArgumentException(where + ": " + field + " = " + r + "; expected {\"lo\": L, \"hi\": H}");
            }
            onlyFields(where, field + ".", r, "lo", "hi");
            float lo = number(where, field + ".lo", r.get("lo"));
            float hi = number(where, field + ".hi", r.get("hi"));
            if (lo > hi) {
                throw new IllegalArgumentException(where + ": " + field + " has lo " + lo + " > hi " + hi
                        + "; expected lo <= hi");
            }
            out.put(e.getKey(), new Range(lo, hi));
        }
        return new ActivationRangesFile(where, out);
    }

    private static void onlyFields(String where, String prefix, JsonNode o, String... allowed) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!java.util.List.of(allowed).contains(f)) {
                throw new IllegalArgumentException(where + ": unknown field " + prefix + f + "; allowed "
                        + java.util.List.of(allowed));
            }
        }
    }

    private static float number(String where, String field, JsonNode v) {
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(where + ": " + field + " = " + v + "; expected a finite number");
        }
        return (float) v.asDouble();
    }

    /** Writes the ranges in the convention's format (atomically). */
    public void write(Path file) {
        AtomicFiles.write(file, (json().toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The ranges as the convention's JSON object. */
    public ObjectNode json() {
        ObjectNode root = Json.object();
        root.put("format", FORMAT);
        ObjectNode l = root.putObject("layers");
        layers.forEach((k, r) -> {
            ObjectNode o = l.putObject(k);
            o.put("lo", r.lo());
            o.put("hi", r.hi());
        });
        return root;
    }
}
