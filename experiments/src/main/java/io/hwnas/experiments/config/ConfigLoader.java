package io.hwnas.experiments.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.plugin.Registry;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.search.SearchStrategies;
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
 * Reads an experiment config (YAML or JSON) strictly: unknown fields, bad values and unknown
 * plugin names are all collected and reported at once, each with file, field path, value and what
 * is allowed.
 */
public final class ConfigLoader {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** The executors a config may name. */
    public static final List<String> EXECUTORS = List.of("local", "slurm");

    private ConfigLoader() {
    }

    /**
     * Loads and validates a config file.
     *
     * @throws ConfigException listing every problem
     */
    public static ExperimentConfig load(Path file) {
        return load(file, null);
    }

    /** Checks one device section against the device catalog and cost models; throws IllegalArgumentException saying why it does not bind. */
    @FunctionalInterface
    public interface DeviceCheck {
        void check(ExperimentConfig.DeviceSpec spec);
    }

    /**
     * Loads and validates a config file and checks that every device binds, reporting every problem
     * of the file (fields, plugin option values, executor options, devices) in one list.
     *
     * @param devices checks each device section, or null to leave binding to {@code RunSetup.bind}
     * @throws ConfigException listing every problem
     */
    public static ExperimentConfig load(Path file, DeviceCheck devices) {
        String name = file.toString();
        JsonNode root;
        try {
            String text = Files.readString(file);
            root = (name.endsWith(".json") ? JSON : YAML).readTree(text);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(name + ": no such file"));
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(name + ": not valid " + (name.endsWith(".json") ? "JSON" : "YAML")
                    + " at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException(List.of(name + ": cannot read: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(List.of(name + ": the config must be a mapping of sections (space, accuracy, "
                    + "devices, strategy, budget, ...)"));
        }
        return parse(file, root, devices);
    }

    static ExperimentConfig parse(Path file, JsonNode json) {
        return parse(file, json, null);
    }

    static ExperimentConfig parse(Path file, JsonNode json, DeviceCheck deviceCheck) {
        Problems p = new Problems(file.toString());
        Path base = file.toAbsolutePath().getParent();
        Node root = new Node(p, "", json);
        root.allowOnly("name", "seed", "space", "dataset", "accuracy", "devices", "objectives", "strategy", "budget",
                "executor", "output", "final_training");
        String stem = file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        String runName = root.string("name", stem, false);
        if (runName != null && !runName.matches("[A-Za-z0-9._-]+")) {
            p.notAllowed("name", runName, "letters, digits, '.', '_' and '-' only (it names the run directory)");
        }
        long seed = root.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);

        Node spaceNode = root.object("space", true);
        ExperimentConfig.Plugin spacePlugin = plugin(spaceNode, SearchSpaces.registry(), p, "input", "classes");
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
        ExperimentConfig.SpaceSpec space = spacePlugin == null ? null : new ExperimentConfig.SpaceSpec(
                spacePlugin.name(), spacePlugin.options(), input, classes == 0 ? null : (int) classes);
        if (space != null && SearchSpaces.registry().contains(space.name())) {
            checkOptions("space.options", space.options(), o -> SearchSpaces.get(space.name(), o), p);
        }
        Node ds = root.object("dataset", false);
        Map<String, Object> dataset = ds.isObject() ? root.map("dataset") : Map.of();

        Node accNode = root.object("accuracy", true);
        ExperimentConfig.Plugin accuracy = plugin(accNode, AccuracyEstimators.registry(), p, "screen");
        ExperimentConfig.Screen screen = screen(accNode.object("screen", false), p);
        if (accuracy != null && AccuracyEstimators.registry().contains(accuracy.name())) {
            checkOptions("accuracy.options", accuracy.options(), o -> AccuracyEstimators.get(accuracy.name(), o), p);
        }

        List<String> objectives = new ArrayList<>();
        List<Node> objNodes = root.list("objectives", false);
        if (objNodes.isEmpty() && !root.has("objectives")) {
            objectives.add("latency_ms");
        }
        for (Node o : objNodes) {
            String m = o.asString();
            if (m != null && !ExperimentConfig.DEVICE_METRICS.contains(m)) {
                p.notAllowed(pathOf(o, objNodes, "objectives"), m, "one of " + ExperimentConfig.DEVICE_METRICS
                        + " (accuracy is always maximised)");
            } else if (m != null && !objectives.contains(m)) {
                objectives.add(m);
            }
        }
        if (root.has("objectives") && objNodes.isEmpty()) {
            p.notAllowed("objectives", "[]", "at least one of " + ExperimentConfig.DEVICE_METRICS);
        }

        List<ExperimentConfig.DeviceSpec> devices = devices(root, base, p);
        for (int i = 0; deviceCheck != null && i < devices.size(); i++) {
            ExperimentConfig.DeviceSpec d = devices.get(i);
            if (d.name() == null || d.profile() == null) {
                continue; // reported above
            }
            try {
                deviceCheck.check(d);
            } catch (IllegalArgumentException e) {
                p.at("devices[" + i + "]", e.getMessage());
            }
        }

        Node st = root.object("strategy", true);
        st.allowOnly("name", "options", "batch_size");
        String stName = st.string("name", null, st.isObject());
        if (stName != null && !SearchStrategies.registry().contains(stName)) {
            p.notAllowed("strategy.name", stName, "one of " + SearchStrategies.registry().names());
        }
        Map<String, Object> stOptions = st.map("options");
        if (stName != null && SearchStrategies.registry().contains(stName)) {
            checkOptions("strategy.options", stOptions, o -> SearchStrategies.get(stName, o), p);
        }
        Node ex = root.object("executor", false);
        ex.allowOnly("name", "parallelism", "options");
        String exName = ex.string("name", "local", false);
        if (!EXECUTORS.contains(exName)) {
            p.notAllowed("executor.name", exName, "one of " + EXECUTORS);
        }
        if ("slurm".equals(exName)) {
            try {
                // the launcher's default depends on where hwnas runs from: the executor checks it when it starts
                io.hwnas.experiments.exec.slurm.SlurmOptions.parse(ex.map("options"), file.toString(), "hwnas");
            } catch (ConfigException e) {
                p.addAll(e.problems());
            }
        }
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
        if (!finalTraining.isEmpty() && AccuracyEstimators.registry().contains("train")) {
            checkOptions("final_training", finalTraining, o -> AccuracyEstimators.get("train", o), p);
        }
        p.throwIfAny();
        return new ExperimentConfig(file, runName, seed, space, resolvePaths(dataset, base), accuracy, devices,
                objectives, new ExperimentConfig.Strategy(stName, stOptions, batchSize), budget,
                new ExperimentConfig.ExecutorSpec(exName, parallelism, ex.map("options")), output, finalTraining, screen);
    }

    /**
     * Builds a plugin with its options. A plugin stops at its first bad option, so when the options
     * fail, each option that fails on its own is tried with the options that pass on their own
     * (options that need a companion are not blamed): every bad option is reported, each at its path.
     * When no single option is to blame, the plugin's own message is.
     */
    static void checkOptions(String path, Map<String, Object> options, java.util.function.Consumer<Map<String, Object>> make,
            Problems p) {
        String whole;
        try {
            make.accept(options);
            return;
        } catch (IllegalArgumentException e) {
            whole = e.getMessage();
        }
        Map<String, Object> good = new LinkedHashMap<>();
        List<String> suspects = new ArrayList<>();
        for (Map.Entry<String, Object> e : options.entrySet()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put(e.getKey(), e.getValue());
            try {
                make.accept(one);
                good.put(e.getKey(), e.getValue());
            } catch (IllegalArgumentException x) {
                suspects.add(e.getKey());
            }
        }
        List<String> found = new ArrayList<>();
        for (String k : suspects) {
            Map<String, Object> with = new LinkedHashMap<>(good);
            with.put(k, options.get(k));
            try {
                make.accept(with);
            } catch (IllegalArgumentException x) {
                found.add(path + "." + k + ": " + x.getMessage());
            }
        }
        if (found.isEmpty()) {
            p.at(path, whole);
        } else {
            found.forEach(f -> p.at(f.substring(0, f.indexOf(": ")), f.substring(f.indexOf(": ") + 2)));
        }
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
        if (proxy != null && !AccuracyEstimators.registry().contains(proxy)) {
            p.notAllowed(n.path("proxy"), proxy, "one of " + AccuracyEstimators.registry().names());
        }
        Double keep = n.number("keep", 0.5, 0);
        if (keep != null && !(keep > 0 && keep <= 1)) {
            p.notAllowed(n.path("keep"), keep, "a share in (0, 1]");
            keep = 0.5;
        }
        Map<String, Object> options = n.map("options");
        if (proxy != null && AccuracyEstimators.registry().contains(proxy)) {
            checkOptions(n.path("options"), options, o -> AccuracyEstimators.get(proxy, o), p);
        }
        return new ExperimentConfig.Screen(proxy, options, keep);
    }

    private static ExperimentConfig.Plugin plugin(Node n, Registry<?> registry, Problems p, String... extra) {
        if (!n.isObject()) {
            return null;
        }
        List<String> allowed = new ArrayList<>(List.of("name", "options"));
        allowed.addAll(List.of(extra));
        n.allowOnly(allowed.toArray(String[]::new));
        String name = n.string("name", null, true);
        if (name != null && !registry.contains(name)) {
            p.notAllowed(n.path("name"), name, "one of " + registry.names());
        }
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
            d.allowOnly("name", "profile", "model", "batch", "calibration", "constraints");
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
                    cal == null ? null : base.resolve(cal).normalize(), constraints));
        }
        return out;
    }

    static boolean looksLikePath(String s) {
        return s.contains("/") || s.endsWith(".json");
    }

    private static Map<String, Object> resolvePaths(Map<String, Object> dataset, Path base) {
        Map<String, Object> m = new LinkedHashMap<>(dataset);
        Object dir = m.get("dir");
        if (dir instanceof String s) {
            m.put("dir", base.resolve(s).normalize().toString());
        }
        return m;
    }
}
