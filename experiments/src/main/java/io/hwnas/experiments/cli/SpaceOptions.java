package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hwnas.core.space.SearchSpace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --space NAME} and {@code --option key=value} options shared by commands that take a space. */
public final class SpaceOptions {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Option(names = "--space", required = true, description = "search space: nb201, fbnet, mobilenet")
    String space;

    @Option(names = "--option", paramLabel = "KEY=VALUE",
            description = "a space option, value in YAML syntax (e.g. prune=true, resolutions=[32])")
    List<String> options = List.of();

    /** The space with its options. */
    public SearchSpace resolve() {
        Map<String, Object> map = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--option '" + o + "' must have the form key=value");
            }
            try {
                map.put(o.substring(0, eq), YAML.readValue(o.substring(eq + 1), Object.class));
            } catch (java.io.IOException e) {
                throw new UsageException("--option '" + o + "': the value is not valid YAML: " + e.getMessage());
            }
        }
        return io.hwnas.core.space.compress.CompressedSpaces.get(space, map);
    }

    public String name() {
        return space;
    }
}
