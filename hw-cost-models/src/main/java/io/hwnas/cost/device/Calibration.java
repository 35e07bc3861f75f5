package io.hwnas.cost.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.io.StrictJson;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Fitted numbers for one device and cost model, kept in their own JSON file and applied on top of
 * the device profile with {@link DeviceProfile#withCalibration(Calibration)} (the profile itself is never
 * rewritten).
 *
 * @param device  the device profile's name
 * @param model   the cost model the numbers were fitted for
 * @param numbers fitted numbers, each with its source
 * @param fit     statistics of the fit (samples, residuals)
 */
public record Calibration(String device, String model, Map<String, Quantity> numbers, Map<String, Double> fit) {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Calibration {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(model, "model");
        numbers = Map.copyOf(new TreeMap<>(numbers));
        fit = Map.copyOf(new TreeMap<>(fit));
    }

    /** Writes the calibration file. */
    public void write(Path file) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("device", device);
        root.put("model", model);
        ObjectNode nums = root.putObject("numbers");
        for (Map.Entry<String, Quantity> e : new TreeMap<>(numbers).entrySet()) {
            ObjectNode q = nums.putObject(e.getKey());
            q.put("value", e.getValue().value());
            q.put("source", e.getValue().source());
        }
        ObjectNode f = root.putObject("fit");
        new TreeMap<>(fit).forEach(f::put);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            MAPPER.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot write the calibration: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a calibration file.
     *
     * @throws IllegalArgumentException naming the file and the field that is missing or bad
     */
    public static Calibration load(Path file) {
        JsonNode root = StrictJson.read(file, "calibration file");
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": a calibration file must be a JSON object");
        }
        for (String f : new String[] {"device", "model", "numbers"}) {
            if (!root.has(f)) {
                throw new IllegalArgumentException(file + ": field " + f + " is missing");
            }
        }
        Map<String, Quantity> numbers = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("numbers").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue().get("value");
            if (v == null || !v.isNumber() || v.asDouble() < 0 || !Double.isFinite(v.asDouble())) {
                throw new IllegalArgumentException(file + ": field numbers." + e.getKey()
                        + ".value must be a finite number >= 0, but was " + v);
            }
            JsonNode s = e.getValue().get("source");
            numbers.put(e.getKey(), new Quantity(v.asDouble(), s == null ? "calibration " + file : s.asText()));
        }
        Map<String, Double> fit = new LinkedHashMap<>();
        JsonNode f = root.get("fit");
        if (f != null) {
            f.fields().forEachRemaining(e -> fit.put(e.getKey(), e.getValue().asDouble()));
        }
        return new Calibration(root.get("device").asText(), root.get("model").asText(), numbers, fit);
    }
}
