package io.hwnas.experiments.setup;

import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.supernet.SupernetCheckpoint;
import io.hwnas.core.supernet.SupernetSpec;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.config.Problems;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the config's final training starts each Pareto member: {@code final_training.from} is {@code scratch}
 * (the default: a fresh initialisation, trained with the {@code train} estimator's options) or {@code supernet}
 * (the member's inherited weights from the supernet checkpoint the accuracy estimator reads, with exact
 * batch-norm recalibration, then {@code steps} fine-tuning steps on the checkpoint's training split; 0 keeps the
 * inherited weights).
 *
 * @param from       {@code scratch} or {@code supernet}
 * @param checkpoint the supernet checkpoint directory ({@code accuracy.options.checkpoint}), or null
 * @param bnBatches  calibration batches of the recalibration ({@code accuracy.options.bn_batches}, default 16)
 * @param members    {@code final_training.members}: how many of each front's most accurate members fine-tune (the
 *                   others keep their inherited weights), 0 for all
 */
public record FinalTrainingSource(String from, Path checkpoint, int bnBatches, int members) {

    public static final String SCRATCH = "scratch";
    public static final String SUPERNET = "supernet";
    /** The values of {@code final_training.from}. */
    public static final List<String> FROM = List.of(SCRATCH, SUPERNET);
    /** The accuracy estimators that read a supernet checkpoint. */
    public static final List<String> CHECKPOINT_ESTIMATORS = List.of("supernet", "predictor");
    /** The {@code final_training} options that apply to a fine-tuning from the supernet. */
    static final Set<String> SUPERNET_OPTIONS = Set.of("from", "steps", "batch", "lr", "momentum", "nesterov",
            "weight_decay", "warmup", "threads", "members", "flip", "shift");
    private static final int DEFAULT_BN_BATCHES = 16;

    /** Whether members start from the supernet's weights. */
    public boolean fromSupernet() {
        return SUPERNET.equals(from);
    }

    /** The source the (already checked) config asks for. */
    public static FinalTrainingSource of(ExperimentConfig c) {
        Object from = c.finalTraining().get("from");
        if (!SUPERNET.equals(from)) {
            return new FinalTrainingSource(SCRATCH, null, 0, 0);
        }
        Object bn = c.accuracy() == null ? null : c.accuracy().options().get("bn_batches");
        Object members = c.finalTraining().get("members");
        return new FinalTrainingSource(SUPERNET, checkpoint(c), bn instanceof Number n && n.intValue() > 0
                ? n.intValue() : DEFAULT_BN_BATCHES, members instanceof Number n ? n.intValue() : 0);
    }

    /** The {@code train} estimator's options of the final training: the section but {@code from}, {@code members}. */
    static Map<String, Object> trainOptions(Map<String, Object> finalTraining) {
        Map<String, Object> o = new LinkedHashMap<>(finalTraining);
        o.remove("from");
        o.remove("members");
        return o;
    }

    /** {@code accuracy.options.checkpoint}, resolved against the config file's folder; null when absent. */
    static Path checkpoint(ExperimentConfig c) {
        Object v = c.accuracy() == null ? null : c.accuracy().options().get("checkpoint");
        if (!(v instanceof String s) || s.isBlank()) {
            return null;
        }
        Path base = c.file().toAbsolutePath().getParent();
        return base == null ? Path.of(s) : base.resolve(s).normalize();
    }

    /**
     * Checks {@code final_training.from} and, for {@code supernet}, the options that apply, the accuracy
     * estimator, and that the checkpoint is readable and serves the run's networks. Every problem goes to
     * {@code p}, naming the field, the value and what is allowed.
     */
    static void check(ExperimentConfig c, SearchSpace space, Shape input, int classes, Problems p) {
        Object from = c.finalTraining().get("from");
        Object members = c.finalTraining().get("members");
        if (members != null && !SUPERNET.equals(from)) {
            p.at("final_training.members", "applies only with from: supernet (the members it leaves out keep their "
                    + "inherited weights; trained from scratch, every member needs its training)");
        } else if (members != null && !(members instanceof Integer n && n > 0)) {
            p.notAllowed("final_training.members", members, "a whole number >= 1: how many of each front's most "
                    + "accurate members fine-tune (leave it out for all)");
        }
        if (from == null) {
            return;
        }
        if (!(from instanceof String) || !FROM.contains(from)) {
            p.notAllowed("final_training.from", from, "one of " + FROM);
            return;
        }
        if (!SUPERNET.equals(from)) {
            return;
        }
        for (String k : c.finalTraining().keySet()) {
            if (!SUPERNET_OPTIONS.contains(k)) {
                p.at("final_training." + k, "does not apply with from: supernet (the member fine-tunes on the "
                        + "checkpoint's training split for `steps` steps); allowed: " + SUPERNET_OPTIONS.stream()
                        .sorted().toList());
            }
        }
        String name = c.accuracy() == null ? null : c.accuracy().name();
        boolean hasCheckpoint = c.accuracy() != null && c.accuracy().options().containsKey("checkpoint");
        if (name != null && !CHECKPOINT_ESTIMATORS.contains(name) && !hasCheckpoint) {
            p.notAllowed("accuracy.name", name, "one of " + CHECKPOINT_ESTIMATORS + " with options.checkpoint, "
                    + "since final_training.from = \"supernet\" takes the members' weights from its checkpoint");
            return;
        }
        Path dir = checkpoint(c);
        if (dir == null) {
            p.missing("accuracy.options.checkpoint", "a supernet checkpoint directory (final_training.from = "
                    + "\"supernet\" takes the members' weights from it)");
            return;
        }
        if (space != null && input != null) {
            checkCheckpoint(dir, space, input, classes, p);
        }
    }

    /** The checkpoint reads and its subnets are the run's networks (space, options, input, classes). */
    private static void checkCheckpoint(Path dir, SearchSpace space, Shape input, int classes, Problems p) {
        SupernetSpec spec;
        try {
            spec = SupernetCheckpoint.read(dir).spec();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            p.at("accuracy.options.checkpoint", e.getMessage());
            return;
        }
        String field = "accuracy.options.checkpoint";
        if (!spec.space().name().equals(space.name()) || !spec.space().options().equals(space.options())) {
            p.notAllowed(field, dir.toString(), "a supernet of the run's space " + space.name() + " "
                    + space.options() + " (final_training.from = \"supernet\"), but it is one of "
                    + spec.space().name() + " " + spec.space().options());
            return;
        }
        Network want = space.network(spec.largest(), input, classes);
        Network have = spec.network(spec.largest());
        if (!want.equals(have)) {
            p.notAllowed(field, dir.toString(), "a supernet whose subnets are the run's networks (input "
                    + want.inputShape() + ", " + classes + " classes; final_training.from = \"supernet\"), but "
                    + "its subnets take " + have.inputShape() + " and give " + spec.classes() + " classes");
        }
    }
}
