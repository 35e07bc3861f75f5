package io.hwnas.core.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.io.Json;
import io.hwnas.core.io.StrictJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The activation ranges file of the quantisation convention: {@code {"format": "hwnas-activation-ranges/1",
 * "layers": {"<MAC layer name>": {"lo": -0.1, "hi": 3.2}}}}, each range that of the named layer's input.
 */
public final class RangesFile {

    /** The format tag. */
    public static final String FORMAT = "hwnas-activation-ranges/1";

    private RangesFile() {
    }

    /** Writes {@code ranges} (by layer name) atomically. */
    public static void write(Path file, Map<String, ActivationRange> ranges) {
        ObjectNode root = Json.object();
        root.put("format", FORMAT);
        ObjectNode layers = root.putObject("layers");
        for (Map.Entry<String, ActivationRange> e : ranges.entrySet()) {
            ObjectNode r = layers.putObject(e.getKey());
            r.put("lo", e.getValue().lo());
            r.put("hi", e.getValue().hi());
        }
        try {
            AtomicFiles.writeString(file, Json.MAPPER.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a ranges file strictly (the one reader of the format: training, the export and the {@code ptq} estimator).
     *
     * @throws IllegalArgumentException naming the file, the field and the value: missing, not JSON, another format, an
     *                                  unknown field, a range that is not two finite numbers with lo &lt;= hi
     */
    public static Map<String, ActivationRange> read(Path file) {
        JsonNode root = StrictJson.read(file, "ranges file");
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
        Map<String, ActivationRange> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = layers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = "layers." + e.getKey();
            JsonNode r = e.getValue();
            if (!r.isObject()) {
                throw new IllegalArgumentException(where + ": " + field + " = " + r + "; expected {\"lo\": L, \"hi\": H}");
            }
            onlyFields(where, field + ".", r, "lo", "hi");
            double lo = number(where, field + ".lo", r.get("lo"));
            double hi = number(where, field + ".hi", r.get("hi"));
            if (lo > hi) {
                throw new IllegalArgumentException(where + ": " + field + " has lo " + lo + " > hi " + hi
                        + "; expected lo <= hi");
            }
            out.put(e.getKey(), new ActivationRange(lo, hi));
        }
        return out;
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

    private static double number(String where, String field, JsonNode v) {
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(where + ": " + field + " = " + v + "; expected a finite number");
        }
        return v.asDouble();
    }
}
