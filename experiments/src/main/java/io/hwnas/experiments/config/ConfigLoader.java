package io.hwnas.experiments.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.ir.Shape;
import io.hwnas.cost.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an experiment config (YAML or JSON) strictly: unknown fields, bad values, bad metric names
 * and malformed sections are all collected and reported at once, each with file, field path, value
 * and what is allowed. Plugins (space, estimators, strategy, executor) and devices are bound one
 * layer up, by {@code io.hwnas.experiments.setup.RunSetup}, which adds its problems to the same list.
 */
public final class ConfigLoader {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    private ConfigLoader() {
    }

    /**
     * Reads and checks a config file.
     *
     * @throws ConfigException listing every problem
     */
    public static ExperimentConfig load(Path file) {
        Problems p = new Problems(file.toString());
        ExperimentConfig c = read(file, p);
        p.throwIfAny();
        return c;
    }

    /**
     * Reads a config file, adding every problem of its fields to {@code p}; the config it returns
     * leaves out (null, empty) what was wrong, so that binding can go on and report its own problems.
     *
     * @throws ConfigException when the file cannot be read, is not UTF-8, nests too deeply or is not a mapping
     *                         (nothing else can be checked), or listing every duplicate key, YAML alias and
     *                         second document (see {@link StrictText})
     */
    public static ExperimentConfig read(Path file, Problems p) {
        return parse(file, tree(file), p);
    }

    /**
     * The mapping of sections in a config file, read strictly.
     *
     * @throws ConfigException when the file cannot be read, is not UTF-8 YAML or JSON, has duplicate keys, aliases
     *                         or a second document, or is not a mapping
     */
    static JsonNode tree(Path file) {
        String name = file.toString();
        boolean json = name.endsWith(".json");
        JsonNode root;
        try {
            String text = StrictText.utf8(name, Files.readAllBytes(file));
            Problems structure = new Problems(name);
            StrictText.check(json ? JSON : YAML, text, structure);
            // duplicate keys, aliases or a second document: the fields' values are ambiguous, so stop here
            structure.throwIfAny();
            root = (json ? JSON : YAML).readTree(text);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(name + ": no such file"));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ConfigException(List.of(name + ": not valid " + (json ? "JSON" : "YAML")
                    + (at == null ? "" : " at line " + at.getLineNr()) + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(List.of(name + ": cannot read: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(List.of(name + ": the config must be a mapping of sections (space, accuracy, "
                    + "devices, strategy, budget, ...)"));
        }
        return root;
    }

    /** The run name: the config's {@code name}, or the file's stem. */
    static String runName(Path file, Node root, Problems p) {
        String stem = file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        String runName = root.string("name", stem, false);
        if (runName != null && !runName.matches("[A-Za-z0-9._-]+")) {
            p.notAllowed("name", runName, "letters, digits, '.', '_' and '-' only (it names the run directory)");
        }
        return runName;
    }

    static ExperimentConfig parse(Path file, JsonNode json, Problems p) {
        Path base = file.toAbsolutePath().getParent();
        Node root = new Node(p, "", json);
        root.allowOnly("name", "seed", "space", "dataset", "accuracy", "devices", "objectives", "strategy", "budget",
                "executor", "output", "final_training", "supernet");
        String runName = runName(file, root, p);
        long seed = root.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        ExperimentConfig.SpaceSpec space = space(root.object("space", true), p);
        Map<String, Object> dataset = dataset(root, p);
        Node accNode = root.object("accuracy", true);
        ExperimentConfig.Plugin accuracy = withResolvedCheckpoint(plugin(accNode, "screen", "fidelity"), base);
        ExperimentConfig.Screen screen = screen(accNode.object("screen", false), p);
        ExperimentConfig.Fidelity fidelity = FidelitySection.parse(accNode.object("fidelity", false), accuracy, p);
        List<String> objectives = objectives(root, p);
        List<ExperimentConfig.DeviceSpec> devices = devices(root, base, p);
        Node st = root.object("strategy", true);
        st.allowOnly("name", "options", "batch_size");
        String stName = st.string("name", null, st.isObject());
        Node ex = root.object("executor", false);
        ex.allowOnly("name", "parallelism", "options");
        String exName = ex.string("name", "local", false);
        int parallelism = (int) ex.integer("parallelism", Math.max(1, Runtime.getRuntime().availableProcessors()), 1,
                4096);
        int batchSize = (int) st.integer("batch_size", Math.max(8, parallelism), 1, 100_000);
        int budget = (int) root.integer("budget", 0, 1, 10_000_000);
        if (!root.has("budget")) {
            p.missing("budget", "the number of evaluations, an integer >= 1");
        }
        String out = root.string("output", "runs/" + runName, false);
        Path output = out == null ? null : base.resolve(out).normalize();
        Map<String, Object> finalTraining = root.object("final_training", false).isObject()
                ? root.map("final_training") : Map.of();
        return new ExperimentConfig(file, runName, seed, space, resolvePaths(dataset, base), accuracy, devices,
                objectives, new ExperimentConfig.Strategy(stName, st.map("options"), batchSize), budget,
                new ExperimentConfig.ExecutorSpec(exName, parallelism, ex.map("options")), output, finalTraining, screen,
                fidelity);
    }

    /**
     * The accuracy section with a string option {@code checkpoint} (a supernet checkpoint directory) resolved
     * against the config's folder, as every other path in a config is.
     */
    private static ExperimentConfig.Plugin withResolvedCheckpoint(ExperimentConfig.Plugin accuracy, Path base) {
        if (accuracy == null || !(accuracy.options().get("checkpoint") instanceof String dir)) {
            return accuracy;
        }
        Map<String, Object> options = new LinkedHashMap<>(accuracy.options());
        options.put("checkpoint", base.resolve(dir).normalize().toString());
        return new ExperimentConfig.Plugin(accuracy.name(), options);
    }

    /** The dataset section: a known {@code name} and a {@code dir} string, both optional; the bad ones left out. */
    static Map<String, Object> dataset(Node root, Problems p) {
        Node ds = root.object("dataset", false);
        if (!ds.isObject()) {
            return Map.of();
        }
        ds.allowOnly("name", "dir");
        Map<String, Object> dataset = root.map("dataset");
        dataset.keySet().retainAll(List.of("name", "dir"));
        String name = ds.string("name", null, false);
        if (name != null && !Datasets.NAMES.contains(name)) {
            p.notAllowed(ds.path("name"), name, "one of " + Datasets.NAMES);
            name = null;
        }
        String dir = ds.string("dir", null, false);
        keepOrRemove(dataset, "name", name);
        keepOrRemove(dataset, "dir", dir);
        return dataset;
    }

    /** Sets {@code key} to {@code value} in its place, or removes it when null. */
    private static void keepOrRemove(Map<String, Object> m, String key, String value) {
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
    }

    static ExperimentConfig.SpaceSpec space(Node spaceNode, Problems p) {
        ExperimentConfig.Plugin plugin = plugin(spaceNode, "input", "classes", "compression");
        if (plugin != null && spaceNode.has("compression")) {
            plugin = compression(plugin, spaceNode.map("compression"), p);
        }
        Shape input = null;
        String inputText = spaceNode.string("input", null, false);
        if (inputText != null) {
            try {
                input = Shape.parse(inputText);
            } catch (IllegalArgumentException e) {
                p.notAllowed("space.input", inputText, "CxHxW with three positive integers, e.g. 3x32x32");
            }
        }
        long classes = spaceNode.integer("classes", 0, 1, 1_000_000);
        return plugin == null ? null : new ExperimentConfig.SpaceSpec(plugin.name(), plugin.options(), input,
                classes == 0 ? null : (int) classes);
    }

    /** The space plugin with its {@code compression} section moved into its options, checked. */
    private static ExperimentConfig.Plugin compression(ExperimentConfig.Plugin plugin, Map<String, Object> section,
            Problems p) {
        for (String problem : io.hwnas.core.space.compress.CompressionOptions.problems(section)) {
            p.whole("space." + problem);
        }
        Map<String, Object> options = new LinkedHashMap<>(plugin.options());
        options.put(io.hwnas.core.space.compress.CompressedSpace.OPTION, section);
        return new ExperimentConfig.Plugin(plugin.name(), options);
    }

    private static List<String> objectives(Node root, Problems p) {
        List<String> objectives = new ArrayList<>();
        List<Node> objNodes = root.list("objectives", false);
        if (objNodes.isEmpty() && !root.has("objectives")) {
            objectives.add(Metric.LATENCY_MS.key());
        }
        for (Node o : objNodes) {
            String m = o.asString();
            if (m != null && !Metric.isKey(m)) {
                p.notAllowed(pathOf(o, objNodes, "objectives"), m, "one of " + ExperimentConfig.DEVICE_METRICS
                        + " (accuracy is always maximised)");
            } else if (m != null && !objectives.contains(m)) {
                objectives.add(m);
            }
        }
        if (root.has("objectives") && objNodes.isEmpty()) {
            p.notAllowed("objectives", "[]", "at least one of " + ExperimentConfig.DEVICE_METRICS);
        }
        return objectives;
    }

    private static String pathOf(Node item, List<Node> all, String field) {
        return field + "[" + all.indexOf(item) + "]";
    }

    private static ExperimentConfig.Screen screen(Node n, Problems p) {
        if (!n.isObject()) {
            return null;
        }
        n.allowOnly("proxy", "options", "keep");
        String proxy = n.string("proxy", null, true);
        Double keep = n.number("keep", 0.5, 0);
        if (keep != null && !(keep > 0 && keep <= 1)) {
            p.notAllowed(n.path("keep"), keep, "a share in (0, 1]");
            keep = 0.5;
        }
        return new ExperimentConfig.Screen(proxy, n.map("options"), keep);
    }

    private static ExperimentConfig.Plugin plugin(Node n, String... extra) {
        if (!n.isObject()) {
            return null;
        }
        List<String> allowed = new ArrayList<>(List.of("name", "options"));
        allowed.addAll(List.of(extra));
        n.allowOnly(allowed.toArray(String[]::new));
        String name = n.string("name", null, true);
        return new ExperimentConfig.Plugin(name, n.map("options"));
    }

    private static List<ExperimentConfig.DeviceSpec> devices(Node root, Path base, Problems p) {
        List<ExperimentConfig.DeviceSpec> out = new ArrayList<>();
        List<Node> nodes = root.list("devices", true);
        if (root.has("devices") && nodes.isEmpty()) {
            p.notAllowed("devices", "[]", "at least one device");
        }
        Set<String> names = new HashSet<>();
        for (Node d : nodes) {
            if (!d.isObject()) {
                p.notAllowed(d.path("").replaceAll("\\.$", ""), "?", "a device section with at least a name");
                continue;
            }
            d.allowOnly("name", "profile", "model", "batch", "calibration", "constraints", "agent");
            String name = d.string("name", null, true);
            if (name != null && !name.matches("[A-Za-z0-9._-]+")) {
                p.notAllowed(d.path("name"), name, "letters, digits, '.', '_' and '-' (it names files)");
            }
            if (name != null && !names.add(name)) {
                p.notAllowed(d.path("name"), name, "a name not used by another device");
            }
            String profile = d.string("profile", name, false);
            String model = d.string("model", null, false);
            int batch = (int) d.integer("batch", 1, 1, 1_000_000);
            String cal = d.string("calibration", null, false);
            Map<String, Double> constraints = new LinkedHashMap<>();
            Node c = d.object("constraints", false);
            c.allowOnly(ExperimentConfig.DEVICE_METRICS.toArray(String[]::new));
            for (String m : ExperimentConfig.DEVICE_METRICS) {
                Double v = c.number(m, null, 0);
                if (v != null) {
                    constraints.put(m, v);
                }
            }
            if (profile != null && looksLikePath(profile)) {
                profile = base.resolve(profile).normalize().toString();
            }
            out.add(new ExperimentConfig.DeviceSpec(name, profile, model, batch,
                    cal == null ? null : base.resolve(cal).normalize(), constraints,
                    AgentSection.parse(d.object("agent", false), base, batch, p)));
        }
        return out;
    }

    static boolean looksLikePath(String s) {
        return s.contains("/") || s.endsWith(".json");
    }

    static Map<String, Object> resolvePaths(Map<String, Object> dataset, Path base) {
        Map<String, Object> m = new LinkedHashMap<>(dataset);
        Object dir = m.get("dir");
        if (dir instanceof String s) {
            m.put("dir", base.resolve(s).normalize().toString());
        }
        return m;
    }
}
