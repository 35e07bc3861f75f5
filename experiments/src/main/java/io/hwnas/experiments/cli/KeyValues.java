package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses repeated {@code key=value} options whose values are YAML (e.g. {@code proxies=[synflow,nwot]}). */
final class KeyValues {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private KeyValues() {
    }

    static Map<String, Object> parse(String option, List<String> entries) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String o : entries) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(option + " '" + o + "' must have the form key=value");
            }
            try {
                map.put(o.substring(0, eq), YAML.readValue(o.substring(eq + 1), Object.class));
            } catch (java.io.IOException e) {
                throw new UsageException(option + " '" + o + "': the value is not valid YAML: " + e.getMessage());
            }
        }
        return map;
    }
}
