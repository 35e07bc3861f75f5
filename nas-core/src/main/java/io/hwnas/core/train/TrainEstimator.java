package io.hwnas.core.train;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.accuracy.EstimatorOptions;
import io.hwnas.core.accuracy.WarmStart;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.Augmentation;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real short training: the candidate is trained on a dataset ({@code fashion-mnist} by default)
 * and scored by validation top-1 in percent. The validation images are a fixed seeded part of
 * the training set, the same for every candidate. Options: {@code dataset}, {@code dir},
 * {@code epochs}, {@code steps}, {@code batch}, {@code lr}, {@code momentum}, {@code nesterov},
 * {@code weight_decay}, {@code warmup}, {@code train_size} (0: all), {@code val_size}. It trains the
 * space's network at its default input, or, once {@link #forNetwork bound to a run}, the run's.
 */
public final class TrainEstimator implements AccuracyEstimator {

    private static final Set<String> ALLOWED = Set.of("dataset", "dir", "epochs", "steps", "batch", "lr", "momentum",
            "nesterov", "weight_decay", "warmup", "train_size", "val_size", "threads", "bn_calibration", "inherit", "flip", "shift");
    private static final Map<String, ImageDataset.Split> SPLITS = new ConcurrentHashMap<>();

    private final String dataset;
    private final String dir;
    private final TrainOptions train;
    private final int trainSize;
    private final int valSize;
    private final boolean inherit;
    /** The run's network input, or null for the space's default. */
    private final Shape input;
    /** The run's classes, or 0 for the dataset's. */
    private final int classes;

    public TrainEstimator() {
        this("fashion-mnist", null, TrainOptions.defaults(), 0, 5000, false, null, 0);
    }

    private TrainEstimator(String dataset, String dir, TrainOptions train, int trainSize, int valSize,
            boolean inherit, Shape input, int classes) {
        this.dataset = dataset;
        this.dir = dir;
        this.train = train;
        this.trainSize = trainSize;
        this.valSize = valSize;
        this.inherit = inherit;
        this.input = input;
        this.classes = classes;
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public TrainEstimator withOptions(Map<String, ?> options) {
        EstimatorOptions o = new EstimatorOptions("accuracy estimator train", options, ALLOWED);
        TrainOptions t = train;
        TrainOptions next;
        try {
            next = new TrainOptions(o.number("epochs", t.epochs(), 1e-3, 1e4), o.integer("steps", t.steps(), 0,
                    100_000_000), o.integer("batch", t.batch(), 1, 65536), o.number("lr", t.learningRate(), 1e-9, 100),
                    o.number("momentum", t.momentum(), 0, 0.999999), o.bool("nesterov", t.nesterov()),
                    o.number("weight_decay", t.weightDecay(), 0, 1), o.integer("warmup", t.warmupSteps(), 0,
                            100_000_000), t.evalBatch(), o.integer("threads", t.threads(), 0, 4096),
                    o.integer("bn_calibration", t.bnCalibration(), 0, 100_000), new Augmentation(o.bool("flip",
                            t.augment().flip()), o.integer("shift", t.augment().shift(), 0, Augmentation.MAX_SHIFT)));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("accuracy estimator")) {
                throw e;
            }
            throw new IllegalArgumentException("accuracy estimator train: " + e.getMessage(), e);
        }
        return new TrainEstimator(o.string("dataset", dataset, Datasets.NAMES), o.text("dir", dir), next,
                o.integer("train_size", trainSize, 0, Integer.MAX_VALUE), o.integer("val_size", valSize, 1,
                        Integer.MAX_VALUE), o.bool("inherit", inherit), input, classes);
    }

    /** Trains the run's network: {@code input} per sample, {@code classes} outputs (the dataset's must match). */
    @Override
    public TrainEstimator forNetwork(Shape input, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("a network needs at least 1 class, but was given " + classes);
        }
        return new TrainEstimator(dataset, dir, train, trainSize, valSize, inherit,
                java.util.Objects.requireNonNull(input, "input"), classes);
    }

    @Override
    public Map<String, Object> options() {
        return Options.ordered("dataset", dataset, "dir", dir == null ? "" : dir, "epochs", train.epochs(), "steps",
                train.steps(), "batch", train.batch(), "lr", train.learningRate(), "momentum", train.momentum(),
                "nesterov", train.nesterov(), "weight_decay", train.weightDecay(), "warmup", train.warmupSteps(),
                "train_size", trainSize, "val_size", valSize, "threads", train.threads(), "bn_calibration",
                train.bnCalibration(), "inherit", inherit, "flip", train.augment().flip(), "shift",
                train.augment().shift());
    }

    @Override
    public boolean isAccuracy() {
        return true;
    }

    /** The training options in force. */
    public TrainOptions trainOptions() {
        return train;
    }

    /** The training and validation images these options select (cached). */
    public ImageDataset.Split data() {
        return SPLITS.computeIfAbsent(dataset + "|" + dir + "|" + trainSize + "|" + valSize, k -> {
            DataSplits d = Datasets.load(dataset, dir == null ? null : Path.of(dir), 0);
            ImageDataset.Split s = d.train().split(Math.min(valSize, d.train().size() - 1), 0);
            return trainSize > 0 ? new ImageDataset.Split(s.train().sample(trainSize, 1), s.validation()) : s;
        });
    }

    /** Whether candidates start from their parent's trained weights (option {@code inherit}). */
    public boolean inherits() {
        return inherit;
    }

    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed) {
        return estimate(space, architecture, seed, null);
    }

    /**
     * With {@code inherit: true} and a {@link WarmStart}: saves the trained weights where it says and,
     * when it names a parent, fine-tunes from the parent's weights instead of training from scratch
     * (the parent must have been trained the same way first, or the candidate fails naming the file).
     */
    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed, WarmStart warm) {
        return estimate(space, architecture, seed, warm, null);
    }

    /**
     * As {@link #estimate(SearchSpace, Architecture, long, WarmStart)}, also writing the trained
     * weights to {@code keep} when it is not null (the run measures firing rates through them).
     */
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed, WarmStart warm, Path keep) {
        boolean warmStart = inherit && warm != null;
        TrainResult r = train(space, architecture, seed, keep != null ? keep : warmStart ? warm.save() : null,
                warmStart ? warm.parent().orElse(null) : null, warmStart ? warm.parentWeights().orElse(null) : null);
        return new Estimate(r.top1(), "top1:" + dataset, Map.of("validation_loss", r.validationLoss(),
                "final_train_loss", r.finalLoss(20), "steps", r.steps(), "wall_s", r.wallSeconds(), "images_per_s",
                r.imagesPerSecond()));
    }

    /**
     * One multi-fidelity rung: trains {@code segment} of a schedule over {@code segment.total()} steps
     * (the {@code steps} and {@code epochs} options are not used), from the checkpoint of the rung
     * before, and scores validation top-1 as {@link #estimate} does; its {@code steps} detail is
     * {@code segment.to()}.
     */
    public Estimate estimateRung(SearchSpace space, Architecture architecture, long seed, Segment segment) {
        TrainResult r = Training.trainSegment(network(space, architecture), data(), train, seed, segment);
        return new Estimate(r.top1(), "top1:" + dataset, Map.of("validation_loss", r.validationLoss(),
                "final_train_loss", r.finalLoss(20), "steps", r.steps(), "wall_s", r.wallSeconds(), "images_per_s",
                r.imagesPerSecond()));
    }

    /**
     * Trains the architecture exactly as {@link #estimate} does and, when {@code weights} is not
     * null, writes the trained parameters there (the final training of Pareto members).
     */
    public TrainResult train(SearchSpace space, Architecture architecture, long seed, Path weights) {
        return train(space, architecture, seed, weights, null, null);
    }

    /** The network this estimator trains for an architecture (its weights files hold this network's). */
    public Network network(SearchSpace space, Architecture architecture) {
        return space.network(architecture, input != null ? input : space.defaultInput(),
                classes > 0 ? classes : data().train().classes());
    }

    private TrainResult train(SearchSpace space, Architecture architecture, long seed, Path weights,
            Architecture parent, Path parentWeights) {
        ImageDataset.Split data = data();
        Network net = network(space, architecture);
        ParentWeights from = parent == null ? null : new ParentWeights(network(space, parent), parentWeights);
        return Training.train(net, data, train, seed, weights, from);
    }
}
