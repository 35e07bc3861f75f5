package io.hwnas.cost.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.io.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The built-in device profiles (JSON resources under {@code /devices/}) and users' profile files. */
public final class DeviceCatalog {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, DeviceProfile> CACHE = new ConcurrentHashMap<>();
    private static final Set<String> FIELDS = Set.of("name", "kind", "description", "default_model", "numbers",
            "settings");

    private DeviceCatalog() {
    }

    /** The names of the built-in profiles, sorted. */
    public static List<String> names() {
        try (InputStream in = DeviceCatalog.class.getResourceAsStream("/devices/index.txt")) {
            if (in == null) {
                throw new IllegalStateException("the device catalog index /devices/index.txt is missing");
            }
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(line.trim());
                }
            }
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A built-in profile by name, or a profile file by path.
     *
     * @throws IllegalArgumentException for an unknown name (listing the known ones), an unreadable
     *         file, or a profile with a missing, negative or unknown field (naming the file and field)
     */
    public static DeviceProfile get(String nameOrPath) {
        if (names().contains(nameOrPath)) {
            return CACHE.computeIfAbsent(nameOrPath, DeviceCatalog::loadBuiltIn);
        }
        Path p = Path.of(nameOrPath);
        if (nameOrPath.endsWith(".json") || Files.exists(p)) {
            return read(p);
        }
        throw new IllegalArgumentException("unknown device '" + nameOrPath + "'; expected a profile file or one of "
                + names());
    }

    private static DeviceProfile loadBuiltIn(String name) {
        String resource = "/devices/" + name + ".json";
        try (InputStream in = DeviceCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("catalog resource " + resource + " is missing");
            }
            return parse(MAPPER.readTree(in), resource);
        } catch (IOException e) {
            throw new IllegalArgumentException(resource + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a profile file. */
    public static DeviceProfile read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such device profile file");
        }
        return parse(StrictJson.read(file, "device profile"), file.toString());
    }

    /** Parses a profile tree; {@code source} names it in every error. */
    public static DeviceProfile parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": a device profile must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(source + ": unknown field '" + f + "'; allowed fields are "
                        + new java.util.TreeSet<>(FIELDS));
            }
        }
        String name = text(root, "name", source);
        DeviceKind kind;
        try {
            kind = DeviceKind.parse(text(root, "kind", source));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": field kind: " + e.getMessage());
        }
        String model = root.has("default_model") ? text(root, "default_model", source) : kind.id();
        String description = root.has("description") ? root.get("description").asText() : "";
        JsonNode nums = root.get("numbers");
        if (nums == null || !nums.isObject()) {
            throw new IllegalArgumentException(source + ": field numbers is missing; it must be an object of "
                    + "{\"value\": number, \"source\": text}");
        }
        Map<String, Quantity> numbers = new LinkedHashMap<>();
        Map<String, String> unmeasured = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = nums.fields(); it.hasNext();) {
            number(it.next(), source, numbers, unmeasured);
        }
        Map<String, String> settings = settings(root.get("settings"), source);
        return new DeviceProfile(name, kind, description, model, numbers, settings, source, unmeasured);
    }

    /** Reads one entry of {@code numbers} into {@code numbers}, or into {@code unmeasured} when marked so. */
    private static void number(Map.Entry<String, JsonNode> e, String source, Map<String, Quantity> numbers,
            Map<String, String> unmeasured) {
        String field = "numbers." + e.getKey();
        JsonNode v = e.getValue();
        if (v.isObject() && v.has("measured") && !v.get("measured").isBoolean()) {
            throw new IllegalArgumentException(source + ": field " + field + ".measured must be true or false, "
                    + "but was " + v.get("measured"));
        }
        if (v.isObject() && v.has("value") && v.get("value").isNull()) {
            if (!v.has("measured") || v.get("measured").asBoolean()) {
                throw new IllegalArgumentException(source + ": field " + field + ".value is null; only a number "
                        + "marked \"measured\": false may be null");
            }
            if (!v.has("source") || v.get("source").asText().isBlank()) {
                throw new IllegalArgumentException(source + ": field " + field + ".source is missing; a number "
                        + "that was not measured needs the reason");
            }
            unmeasured.put(e.getKey(), v.get("source").asText());
            return;
        }
        if (!v.isObject() || !v.has("value") || !v.get("value").isNumber()) {
            throw new IllegalArgumentException(source + ": field " + field
                    + " must be {\"value\": number, \"source\": text}, but was " + v);
        }
        if (!v.has("source") || v.get("source").asText().isBlank()) {
            throw new IllegalArgumentException(source + ": field " + field + ".source is missing; every number "
                    + "needs its source");
        }
        double d = v.get("value").asDouble();
        if (!Double.isFinite(d) || d < 0) {
            throw new IllegalArgumentException(source + ": field " + field + " must be a finite number >= 0, but was "
                    + v.get("value"));
        }
        numbers.put(e.getKey(), new Quantity(d, v.get("source").asText()));
    }

    private static Map<String, String> settings(JsonNode set, String source) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (set != null) {
            if (!set.isObject()) {
                throw new IllegalArgumentException(source + ": field settings must be an object of texts");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = set.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                settings.put(e.getKey(), e.getValue().asText());
            }
        }
        return settings;
    }

    private static String text(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new IllegalArgumentException(source + ": field " + field + " is missing or not a text");
        }
        return n.asText();
    }
}
