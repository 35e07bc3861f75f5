package io.hwnas.experiments.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.data.Augmentation;
import io.hwnas.core.supernet.SupernetTrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code hwnas supernet train} reads from a config: the run's {@code seed}, {@code space} and
 * {@code dataset} sections, and the {@code supernet} section (where the checkpoint goes, the elastic range and
 * the training options). The search sections (devices, strategy, budget, ...) may be there too and are not read
 * here, so that one file can train the supernet and then search on it.
 *
 * @param file             the config file (for messages)
 * @param name             the run name (the config's {@code name}, or the file's stem)
 * @param seed             the seed of the training (initialisation, batch order, subnets, validation split)
 * @param space            the space section
 * @param dataset          the dataset section ({@code name}, {@code dir}), {@code synthetic} when absent
 * @param checkpoint       the checkpoint directory, resolved against the config's folder
 * @param resolution       the input resolution every subnet runs at, or null for the space's largest
 * @param resolutions      the input resolutions subnets run at (elastic resolution), or null for one
 * @param width            the width multiplier, or null for the space's largest
 * @param kernels          the depthwise kernels served
 * @param expansions       the expansion ratios served
 * @param groupWidths      fractions of each outer channel group a trained subnet keeps (elastic group widths)
 * @param validationImages images held out of the training set for validation
 * @param training         the training options
 * @param initFrom         the checkpoint whose weights the training starts from (a warm start), resolved against
 *                         the config's folder, or null for a fresh initialisation
 */
public record SupernetConfig(Path file, String name, long seed, ExperimentConfig.SpaceSpec space,
        Map<String, Object> dataset, Path checkpoint, Integer resolution, List<Integer> resolutions, Double width,
        List<Integer> kernels,
        List<Integer> expansions, List<Double> groupWidths, int validationImages, SupernetTrainingOptions training,
        Path initFrom) {

    /** The fields of the {@code supernet} section. */
    static final List<String> FIELDS = List.of("checkpoint", "resolution", "resolutions", "width", "kernels",
            "expansions",
            "group_widths",
            "validation_images", "steps", "batch", "lr", "schedule", "step_every", "step_factor", "warmup",
            "momentum", "weight_decay", "random_subnets", "zero_init_residual", "flip", "shift", "checkpoint_every",
            "validate_every", "validate_images", "threads", "init_from");

    /**
     * Reads the sections {@code supernet train} needs from a config file.
     *
     * @throws ConfigException listing every problem (file, field, value, what is allowed)
     */
    public static SupernetConfig load(Path file) {
        Problems p = new Problems(file.toString());
        JsonNode root = ConfigLoader.tree(file);
        SupernetConfig c = parse(file, root, p);
        p.throwIfAny();
        return c;
    }

    static SupernetConfig parse(Path file, JsonNode json, Problems p) {
        Path base = file.toAbsolutePath().getParent();
        Node root = new Node(p, "", json);
        String name = ConfigLoader.runName(file, root, p);
        long seed = root.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        ExperimentConfig.SpaceSpec space = ConfigLoader.space(root.object("space", true), p);
        if (space != null && space.name() != null && !space.name().equals("mobilenet")) {
            p.notAllowed("space.name", space.name(), "mobilenet (the supernet is an MBConv supernet)");
        }
        Map<String, Object> dataset = ConfigLoader.resolvePaths(ConfigLoader.dataset(root, p), base);
        Node s = root.object("supernet", true);
        s.allowOnly(FIELDS.toArray(String[]::new));
        String ck = s.string("checkpoint", "runs/" + name + "-supernet", false);
        Path checkpoint = ck == null ? null : base.resolve(ck).normalize();
        long resolution = s.integer("resolution", 0, 1, 4096);
        List<Integer> resolutions = resolutions(s, p);
        if (resolutions != null && resolution != 0) {
            p.notAllowed(s.path("resolutions"), resolutions, "resolutions or resolution, not both");
        }
        Double width = s.number("width", null, 0);
        List<Integer> kernels = choices(s, "kernels", List.of(3, 5, 7), p);
        List<Integer> expansions = choices(s, "expansions", List.of(3, 4, 6), p);
        List<Double> groupWidths = groupWidths(s, p);
        int validation = (int) s.integer("validation_images", 5000, 1, 1_000_000);
        SupernetTrainingOptions training = training(s, p);
        String init = s.string("init_from", null, false);
        return new SupernetConfig(file, name, seed, space, dataset, checkpoint,
                resolution == 0 ? null : (int) resolution, resolutions, width, kernels, expansions, groupWidths,
                validation, training, init == null ? null : base.resolve(init).normalize());
    }

    private static List<Integer> choices(Node s, String field, List<Integer> allowed, Problems p) {
        if (!s.has(field)) {
            return allowed;
        }
        List<Node> items = items(s, field, p);
        if (items == null) {
            return allowed;
        }
        List<Integer> out = new ArrayList<>();
        for (Node item : items) {
            String v = item.asString();
            if (v != null && v.matches("\\d+") && allowed.contains(Integer.parseInt(v))) {
                if (!out.contains(Integer.parseInt(v))) {
                    out.add(Integer.parseInt(v));
                }
            } else if (v != null) {
                p.notAllowed(s.path(field), v, "a list of some of " + allowed);
            }
        }
        if (out.isEmpty()) {
            p.notAllowed(s.path(field), "[]", "a non-empty list of some of " + allowed);
            return allowed;
        }
        return out.stream().sorted().toList();
    }

    /** {@code resolutions}: positive input resolutions (the space's, checked with it); null when absent. */
    private static List<Integer> resolutions(Node s, Problems p) {
        if (!s.has("resolutions")) {
            return null;
        }
        List<Node> items = items(s, "resolutions", p);
        if (items == null) {
            return null;
        }
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (Node item : items) {
            String v = item.asString();
            if (v != null && v.matches("\\d{1,4}") && Integer.parseInt(v) > 0) {
                out.add(Integer.parseInt(v));
            } else if (v != null) {
                p.notAllowed(s.path("resolutions"), v, "a list of input resolutions of the space, e.g. [16, 24, 32]");
                return null;
            }
        }
        if (out.isEmpty()) {
            p.notAllowed(s.path("resolutions"), "[]", "a non-empty list of input resolutions of the space");
            return null;
        }
        return List.copyOf(out);
    }

    /** {@code group_widths}: fractions in (0, 1], 1.0 among them; [1.0] (full widths only) when absent. */
    private static List<Double> groupWidths(Node s, Problems p) {
        String what = "a list of fractions in (0, 1] with 1.0 among them, e.g. [1.0, 0.75, 0.5]";
        if (!s.has("group_widths")) {
            return List.of(1.0);
        }
        List<Node> items = items(s, "group_widths", p);
        if (items == null) {
            return List.of(1.0);
        }
        java.util.TreeSet<Double> out = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        for (Node item : items) {
            String v = item.asString();
            Double d = parse(v);
            if (d != null && d > 0 && d <= 1) {
                out.add(d);
            } else if (v != null) {
                p.notAllowed(s.path("group_widths"), v, what);
                return List.of(1.0);
            }
        }
        if (!out.contains(1.0)) {
            p.notAllowed(s.path("group_widths"), List.copyOf(out), what);
            return List.of(1.0);
        }
        return List.copyOf(out);
    }

    /** The items of a list field, or null when it is not a list (reported once, not again as an empty list). */
    private static List<Node> items(Node s, String field, Problems p) {
        int before = p.all().size();
        List<Node> items = s.list(field, false);
        return p.all().size() > before ? null : items;
    }

    private static Double parse(String v) {
        try {
            return v == null ? null : Double.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static SupernetTrainingOptions training(Node s, Problems p) {
        SupernetTrainingOptions d = SupernetTrainingOptions.builder().build();
        SupernetTrainingOptions.Builder b = d.toBuilder()
                .steps((int) s.integer("steps", d.steps(), 1, 100_000_000))
                .batch((int) s.integer("batch", d.batch(), 1, 65_536))
                .learningRate(positive(s, "lr", d.learningRate(), p))
                .warmupSteps((int) s.integer("warmup", d.warmupSteps(), 0, 100_000_000))
                .momentum(s.number("momentum", d.momentum(), 0))
                .weightDecay(s.number("weight_decay", d.weightDecay(), 0))
                .randomSubnets((int) s.integer("random_subnets", d.randomSubnets(), 0, 64))
                .zeroInitResidual(s.bool("zero_init_residual", d.zeroInitResidual()))
                .augment(new Augmentation(s.bool("flip", false),
                        (int) s.integer("shift", 0, 0, Augmentation.MAX_SHIFT)))
                .checkpointEvery((int) s.integer("checkpoint_every", d.checkpointEvery(), 1, 100_000_000))
                .validation((int) s.integer("validate_every", d.validateEvery(), 0, 100_000_000),
                        (int) s.integer("validate_images", d.validationImages(), 1, 1_000_000))
                .threads((int) s.integer("threads", d.threads(), 0, 4096));
        String schedule = s.string("schedule", "cosine", false);
        if ("step".equals(schedule)) {
            b.stepDecay((int) s.integer("step_every", d.decayEvery(), 1, 100_000_000),
                    positive(s, "step_factor", d.decayFactor(), p));
        } else if (schedule != null && !schedule.equals("cosine")) {
            p.notAllowed(s.path("schedule"), schedule, "cosine or step");
        }
        if (s.number("momentum", d.momentum(), 0) >= 1) {
            p.notAllowed(s.path("momentum"), s.number("momentum", d.momentum(), 0), "a number in [0, 1)");
            b.momentum(d.momentum());
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            p.at("supernet", e.getMessage());
            return d;
        }
    }

    private static double positive(Node s, String field, double fallback, Problems p) {
        Double v = s.number(field, fallback, 0);
        if (v != null && v <= 0) {
            p.notAllowed(s.path(field), v, "a number > 0");
            return fallback;
        }
        return v == null ? fallback : v;
    }
}
