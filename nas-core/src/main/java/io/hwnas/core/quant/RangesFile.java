package io.hwnas.core.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
     * Reads a ranges file.
     *
     * @throws IllegalArgumentException naming the file and what is wrong (missing, another format, a bad range)
     */
    public static Map<String, ActivationRange> read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file; expected an activation ranges file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not JSON (" + e.getMessage() + ")", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()) || !root.path("layers").isObject()) {
            throw new IllegalArgumentException(file + ": not an activation ranges file (expected format '" + FORMAT
                    + "' and an object 'layers')");
        }
        Map<String, ActivationRange> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.get("layers").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode lo = e.getValue().get("lo");
            JsonNode hi = e.getValue().get("hi");
            if (lo == null || hi == null || !lo.isNumber() || !hi.isNumber() || lo.asDouble() > 0
                    || hi.asDouble() < 0) {
                throw new IllegalArgumentException(file + ": layers." + e.getKey() + " must hold numbers lo <= 0 and "
                        + "hi >= 0, but was " + e.getValue());
            }
            out.put(e.getKey(), new ActivationRange(lo.asDouble(), hi.asDouble()));
        }
        return out;
    }
}
