package io.hwnas.core.supernet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.data.Augmentation;
import io.hwnas.core.io.Json;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code checkpoint.json} of a {@link SupernetCheckpoint}: writing it and reading it back. */
final class CheckpointJson {

    static final String FORMAT = "hwnas-supernet-checkpoint-1";

    private CheckpointJson() {
    }

    static ObjectNode write(SupernetCheckpoint c) {
        SupernetRun run = c.run();
        SupernetSpec spec = run.spec();
        ObjectNode root = Json.object();
        root.put("format", FORMAT);
        ObjectNode space = root.putObject("space");
        space.put("name", spec.space().name());
        space.set("options", Json.MAPPER.valueToTree(spec.space().options()));
        ObjectNode s = root.putObject("supernet");
        s.put("resolution", spec.resolution());
        s.put("width", spec.width());
        s.set("kernels", Json.MAPPER.valueToTree(spec.kernels()));
        s.set("expansions", Json.MAPPER.valueToTree(spec.expansions()));
        s.set("group_widths", Json.MAPPER.valueToTree(spec.groupWidths()));
        s.set("resolutions", Json.MAPPER.valueToTree(spec.resolutions()));
        root.set("input_shape", Json.MAPPER.valueToTree(List.of(spec.channels(), spec.resolution(),
                spec.resolution())));
        root.put("classes", spec.classes());
        ObjectNode d = root.putObject("dataset");
        d.put("name", run.dataset().name());
        d.put("dir", run.dataset().dir());
        d.put("train_images", run.dataset().trainImages());
        d.put("validation_images", run.dataset().validationImages());
        root.put("seed", run.seed());
        root.set("training", options(run.options()));
        if (run.init() != null) {
            ObjectNode i = root.putObject("init_from");
            i.put("dir", run.init().dir());
            i.put("parameters_sha256", run.init().parametersSha256());
            i.put("steps_done", run.init().stepsDone());
        }
        root.put("steps_done", c.stepsDone());
        ObjectNode files = root.putObject("files");
        file(files.putObject("parameters"), c.parameters());
        file(files.putObject("optimizer"), c.optimizer());
        return root;
    }

    private static ObjectNode options(SupernetTrainingOptions o) {
        ObjectNode t = Json.object();
        t.put("steps", o.steps());
        t.put("batch", o.batch());
        t.put("learning_rate", o.learningRate());
        t.put("schedule", o.schedule().id());
        t.put("warmup_steps", o.warmupSteps());
        t.put("decay_every", o.decayEvery());
        t.put("decay_factor", o.decayFactor());
        t.put("momentum", o.momentum());
        t.put("weight_decay", o.weightDecay());
        t.put("random_subnets", o.randomSubnets());
        t.put("checkpoint_every", o.checkpointEvery());
        t.put("validate_every", o.validateEvery());
        t.put("validation_images", o.validationImages());
        t.put("threads", o.threads());
        t.put("zero_init_residual", o.zeroInitResidual());
        t.put("flip", o.augment().flip());
        t.put("shift", o.augment().shift());
        t.put("optimizer", "sgd-momentum (momentum buffers in the optimizer file)");
        return t;
    }

    private static void file(ObjectNode n, SupernetCheckpoint.FileHash f) {
        n.put("file", f.file());
        n.put("sha256", f.sha256());
        n.put("bytes", f.bytes());
    }

    /** The run, steps and files of a parsed {@code checkpoint.json}; {@code where} names it in errors. */
    @SuppressWarnings("unchecked")
    static SupernetCheckpoint read(java.nio.file.Path dir, JsonNode root, String where) {
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(where + ": format '" + root.path("format").asText() + "', expected '"
                    + FORMAT + "'");
        }
        String name = need(root, "space.name", where).asText();
        if (!"mobilenet".equals(name)) {
            throw new IllegalArgumentException(where + ": a supernet of space '" + name + "'; only mobilenet has one");
        }
        Map<String, Object> opts = Json.MAPPER.convertValue(need(root, "space.options", where), Map.class);
        MobilenetSpace space = (MobilenetSpace) new MobilenetSpace().withOptions(opts);
        JsonNode shape = need(root, "input_shape", where);
        SupernetSpec spec;
        try {
            spec = new SupernetSpec(space, shape.get(0).asInt(), need(root, "classes", where).asInt(),
                    need(root, "supernet.resolution", where).asInt(), need(root, "supernet.width", where).asDouble(),
                    ints(need(root, "supernet.kernels", where)), ints(need(root, "supernet.expansions", where)),
                    groupWidths(root.path("supernet").path("group_widths"), where),
                    resolutions(root.path("supernet"), where));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        JsonNode d = need(root, "dataset", where);
        SupernetRun.Dataset dataset = new SupernetRun.Dataset(need(root, "dataset.name", where).asText(),
                d.path("dir").isNull() || d.path("dir").isMissingNode() ? null : d.path("dir").asText(),
                need(root, "dataset.train_images", where).asInt(), need(root, "dataset.validation_images", where)
                .asInt());
        SupernetRun run = new SupernetRun(spec, dataset, need(root, "seed", where).asLong(),
                options(need(root, "training", where), where), init(root, where));
        return new SupernetCheckpoint(dir, run, need(root, "steps_done", where).asInt(),
                file(root, "parameters", where), file(root, "optimizer", where));
    }

    private static SupernetTrainingOptions options(JsonNode t, String where) {
        try {
            return trainingOptions(t, where);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": training: "
                    + e.getMessage(), e);
        }
    }

    private static SupernetTrainingOptions trainingOptions(JsonNode t, String where) {
        SupernetTrainingOptions.Builder b = SupernetTrainingOptions.builder()
                .steps(need(t, "steps", where).asInt()).batch(need(t, "batch", where).asInt())
                .learningRate(need(t, "learning_rate", where).asDouble())
                .warmupSteps(need(t, "warmup_steps", where).asInt()).momentum(need(t, "momentum", where).asDouble())
                .weightDecay(need(t, "weight_decay", where).asDouble())
                .randomSubnets(need(t, "random_subnets", where).asInt())
                .checkpointEvery(need(t, "checkpoint_every", where).asInt())
                .validation(need(t, "validate_every", where).asInt(), need(t, "validation_images", where).asInt())
                .threads(need(t, "threads", where).asInt())
                .zeroInitResidual(t.path("zero_init_residual").asBoolean(false)) // absent before it existed
                .augment(new Augmentation(t.path("flip").asBoolean(false), t.path("shift").asInt(0))); // as well
        b.stepDecay(need(t, "decay_every", where).asInt(), need(t, "decay_factor", where).asDouble());
        if (SupernetTrainingOptions.Schedule.of(need(t, "schedule", where).asText())
                == SupernetTrainingOptions.Schedule.COSINE) {
            b.cosine();
        }
        return b.build();
    }

    /** The checkpoint a warm-started training began from; null when absent (a fresh initialisation). */
    private static SupernetInit init(JsonNode root, String where) {
        if (!root.has("init_from")) {
            return null;
        }
        try {
            return new SupernetInit(need(root, "init_from.dir", where).asText(),
                    need(root, "init_from.parameters_sha256", where).asText(),
                    need(root, "init_from.steps_done", where).asInt());
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(where) ? e : new IllegalArgumentException(where + ": init_from: "
                    + e.getMessage(), e);
        }
    }

    private static SupernetCheckpoint.FileHash file(JsonNode root, String key, String where) {
        String p = "files." + key + ".";
        return new SupernetCheckpoint.FileHash(need(root, p + "file", where).asText(),
                need(root, p + "sha256", where).asText(), need(root, p + "bytes", where).asLong());
    }

    /** The group widths; [1.0] when absent (checkpoints written before elastic group widths existed). */
    private static List<Double> groupWidths(JsonNode n, String where) {
        if (n.isMissingNode() || n.isNull()) {
            return List.of(1.0);
        }
        List<Double> out = new ArrayList<>();
        n.forEach(x -> {
            if (!x.isNumber()) {
                throw new IllegalArgumentException(where + ": supernet.group_widths holds '" + x.asText()
                        + "'; expected numbers");
            }
            out.add(x.asDouble());
        });
        return out;
    }

    /** The resolutions served; the one resolution when absent (checkpoints written before elastic resolution). */
    private static List<Integer> resolutions(JsonNode supernet, String where) {
        JsonNode n = supernet.path("resolutions");
        if (n.isMissingNode() || n.isNull()) {
            return List.of(need(supernet, "resolution", where).asInt());
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(where + ": supernet.resolutions is '" + n + "', expected a list of "
                    + "input resolutions");
        }
        return ints(n);
    }

    private static List<Integer> ints(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asInt()));
        return out;
    }

    /** The node at a dotted path. */
    private static JsonNode need(JsonNode root, String path, String where) {
        JsonNode n = root;
        for (String k : path.split("\\.")) {
            n = n.path(k);
        }
        if (n.isMissingNode() || n.isNull()) {
            throw new IllegalArgumentException(where + ": no '" + path + "'");
        }
        return n;
    }
}
