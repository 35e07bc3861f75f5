package io.hwnas.core.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the JSON files users give or may edit strictly (device profiles, calibrations, activation ranges, supernet
 * manifests, accuracy predictors): a key given twice in one object, or anything after the top-level value (a
 * second object, trailing text), is an error naming the file and the line, never a value silently dropped.
 */
public final class StrictJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StrictJson() {
    }

    /**
     * The file's JSON tree.
     *
     * @param what what the file is, for messages (e.g. {@code "device profile"})
     * @throws IllegalArgumentException naming the file, the line and what is wrong; for a missing file
     *         {@code "<what> <file> does not exist"}
     */
    public static JsonNode read(Path file, String what) {
        if (!java.nio.file.Files.exists(file)) {
            throw new IllegalArgumentException(what + " " + file + " does not exist");
        }
        try {
            JsonNode root = MAPPER.readTree(file.toFile());
            if (root == null || root.isMissingNode()) {
                throw new IllegalArgumentException(file + ": not a valid " + what + ": the file is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String line = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr();
            String msg = e.getOriginalMessage();
            if (msg.startsWith("Trailing token")) {
                msg = "content after the " + what + "'s JSON object is not allowed";
            } else if (msg.startsWith("Duplicate field")) {
                msg = msg.replace("Duplicate field", "duplicate key") + "; each key may appear once";
            }
            throw new IllegalArgumentException(file + ": not a valid " + what + line + ": " + msg, e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the " + what + ": " + e.getMessage(), e);
        }
    }
}
