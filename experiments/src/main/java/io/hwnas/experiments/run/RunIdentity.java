package io.hwnas.experiments.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.experiments.config.ConfigException;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.setup.RunSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run directory's identity, checked on every resume and report: its {@code config.yaml} and the
 * device profiles and calibration files it names must be those {@code manifest.json} recorded when
 * the run started. Any difference, and a missing or unreadable manifest, is a {@link ConfigException}
 * (exit 2) naming what changed.
 */
final class RunIdentity {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AFTER = " since the run started; start a new run from the edited config instead";

    private RunIdentity() {
    }

    /**
     * Checks the run in {@code dir} against its manifest; {@code setup} holds the devices bound now.
     *
     * @throws ConfigException naming every change, or a missing or unreadable manifest
     */
    static void check(RunSetup setup, Path dir) {
        Path config = dir.resolve("config.yaml");
        JsonNode manifest = manifest(dir);
        ExperimentConfig now = ConfigLoader.load(config);
        List<String> changes = new ArrayList<>();
        JsonNode was = manifest.get("config");
        if (was != null && was.isObject()) {
            diff("", was, normalised(now), changes);
        } else if (!manifest.path("config_hash").asText().equals("sha256:" + ConfigWriter.hash(now))) {
            changes.add("the config (its sha256 differs from the manifest's config_hash)");
        }
        if (changes.isEmpty()) {
            devices(manifest.path("devices"), setup.devices(), changes);
        }
        if (!changes.isEmpty()) {
            throw new ConfigException(List.of(config + ": " + String.join(", ", changes) + AFTER));
        }
    }

    /** The config's tree as the manifest holds it (written as JSON and read back: numbers compare equal). */
    static JsonNode normalised(ExperimentConfig c) {
        try {
            return JSON.readTree(JSON.writeValueAsString(ConfigWriter.tree(c)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode manifest(Path dir) {
        Path file = dir.resolve(Manifest.FILE);
        String refuse = "; the run's config and devices cannot be checked, so it is neither resumed nor reported; "
                + "start a new run from its config instead";
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(List.of(file + " is missing" + refuse));
        }
        try {
            JsonNode m = JSON.readTree(Files.readString(file));
            if (m == null || !m.isObject() || !m.path("config_hash").isTextual() || !m.path("devices").isObject()) {
                throw new ConfigException(List.of(file + " is not a manifest hwnas wrote" + refuse));
            }
            return m;
        } catch (IOException e) {
            throw new ConfigException(List.of(file + " is unreadable (" + e.getMessage().lines().findFirst()
                    .orElse("") + ")" + refuse));
        }
    }

    /** Adds a line for every value of {@code now} that differs from {@code was}, by field path. */
    static void diff(String path, JsonNode was, JsonNode now, List<String> changes) {
        if (was.equals(now)) {
            return;
        }
        if (was.isObject() && now.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            was.fieldNames().forEachRemaining(names::add);
            now.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                String p = path.isEmpty() ? n : path + "." + n;
                changed(p, was.get(n), now.get(n), changes);
            }
        } else if (was.isArray() && now.isArray()) {
            for (int i = 0; i < Math.max(was.size(), now.size()); i++) {
                changed(path + "[" + i + "]", was.get(i), now.get(i), changes);
            }
        } else {
            changes.add(path + " changed from " + text(was) + " to " + text(now));
        }
    }

    private static void changed(String path, JsonNode was, JsonNode now, List<String> changes) {
        if (was == null && now != null) {
            changes.add(path + " was added (" + text(now) + ")");
        } else if (was != null && now == null) {
            changes.add(path + " was removed (it was " + text(was) + ")");
        } else if (was != null) {
            diff(path, was, now, changes);
        }
    }

    private static String text(JsonNode n) {
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /** Compares the devices' profile and calibration hashes with the manifest's. */
    private static void devices(JsonNode recorded, List<DeviceTarget> devices, List<String> changes) {
        for (DeviceTarget d : devices) {
            JsonNode r = recorded.get(d.name());
            if (r == null) {
                changes.add("device " + d.name() + " is not in the manifest");
                continue;
            }
            Map<String, String> now = d.hashes();
            Set<String> keys = new LinkedHashSet<>(now.keySet());
            for (Iterator<String> it = r.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!k.equals("description")) {
                    keys.add(k);
                }
            }
            for (String k : keys) {
                String was = r.path(k).asText(null);
                String is = now.get(k);
                if (was == null || !was.equals(is)) {
                    changes.add(deviceChange(d.name(), k, was, is, now, r));
                }
            }
        }
    }

    private static String deviceChange(String device, String key, String was, String is, Map<String, String> now,
            JsonNode recorded) {
        if (key.endsWith("_sha256")) {
            String of = key.substring(0, key.length() - "_sha256".length());
            String name = now.getOrDefault(of, recorded.path(of).asText(of));
            return "device " + device + ": the content of its " + of + " " + name + " changed (sha256 " + brief(was)
                    + " -> " + brief(is) + ")";
        }
        return "device " + device + ": " + key + " changed from " + was + " to " + is;
    }

    private static String brief(String hash) {
        return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length()));
    }
}
