package io.hwnas.core.supernet;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.accuracy.EstimatorOptions;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accuracy estimator {@code supernet}: a candidate's top-1 in percent with the weights it inherits from a trained
 * supernet checkpoint, measured by {@link SubnetEvaluation} (exact batch-norm recalibration on {@code bn_batches}
 * training batches of {@code bn_batch_size} images, then top-1 on the first {@code validation_images} held-out
 * images of the split the supernet was trained on, rebuilt from the checkpoint's dataset and seed). Options:
 * {@code checkpoint} (required), {@code bn_batches} (16), {@code bn_batch_size} (64), {@code validation_images}
 * (5000, capped by the checkpoint's validation images), {@code eval_batch} (100).
 *
 * <p>The supernet and its data are loaded once per checkpoint and options, on first use, and shared by every copy.
 * Evaluations of one loaded supernet run one at a time (thread-safe, and the same value whatever thread asks); the
 * calibration images are seeded by the checkpoint's seed, not the per-candidate seed, so every candidate is
 * measured on the same images. A candidate outside the supernet's elastic range is an
 * {@link IllegalArgumentException} naming what lies outside.
 */
public final class SupernetEstimator implements AccuracyEstimator {

    private static final Set<String> ALLOWED = Set.of("checkpoint", "bn_batches", "bn_batch_size",
            "validation_images", "eval_batch");
    private static final Map<String, SupernetEvaluator> LOADED = new ConcurrentHashMap<>();

    private final SupernetCheckpoint checkpoint;
    private final int bnBatches;
    private final int bnBatchSize;
    private final int validationImages;
    private final int evalBatch;

    public SupernetEstimator() {
        this(null, 16, 64, 5000, 100);
    }

    private SupernetEstimator(SupernetCheckpoint checkpoint, int bnBatches, int bnBatchSize, int validationImages,
            int evalBatch) {
        this.checkpoint = checkpoint;
        this.bnBatches = bnBatches;
        this.bnBatchSize = bnBatchSize;
        this.validationImages = validationImages;
        this.evalBatch = evalBatch;
    }

    /** The estimator on {@code checkpoint} with the default evaluation options. */
    public static SupernetEstimator of(SupernetCheckpoint checkpoint) {
        return new SupernetEstimator(checkpoint, 16, 64, 5000, 100);
    }

    @Override
    public String name() {
        return "supernet";
    }

    @Override
    public SupernetEstimator withOptions(Map<String, ?> options) {
        EstimatorOptions o = new EstimatorOptions("accuracy estimator supernet", options, ALLOWED);
        int bn = o.integer("bn_batches", bnBatches, 1, 100_000);
        int bnSize = o.integer("bn_batch_size", bnBatchSize, 1, 65_536);
        int val = o.integer("validation_images", validationImages, 1, Integer.MAX_VALUE);
        int eval = o.integer("eval_batch", evalBatch, 1, 65_536);
        String dir = o.text("checkpoint", checkpoint == null ? null : checkpoint.dir().toString());
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException("accuracy estimator supernet: option checkpoint is required (the "
                    + "directory `hwnas supernet train` wrote)");
        }
        SupernetCheckpoint c = checkpoint != null && checkpoint.dir().toString().equals(dir) ? checkpoint
                : readCheckpoint(dir, "supernet");
        int images = bn * bnSize;
        if (images > c.run().dataset().trainImages()) {
            throw new IllegalArgumentException("accuracy estimator supernet: bn_batches x bn_batch_size = " + images
                    + " calibration images, but the checkpoint's training part has "
                    + c.run().dataset().trainImages() + "; allowed at most that many");
        }
        return new SupernetEstimator(c, bn, bnSize, Math.min(val, c.run().dataset().validationImages()), eval);
    }

    /** Reads a checkpoint for estimator {@code owner}, its problems as the estimator's. */
    static SupernetCheckpoint readCheckpoint(String dir, String owner) {
        try {
            return SupernetCheckpoint.read(Path.of(dir));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("accuracy estimator " + owner + ": checkpoint " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Object> options() {
        return Options.ordered("checkpoint", checkpoint == null ? "" : checkpoint.dir().toString(), "bn_batches",
                bnBatches, "bn_batch_size", bnBatchSize, "validation_images", validationImages, "eval_batch",
                evalBatch);
    }

    /** The checkpoint read, or null before the {@code checkpoint} option is given. */
    public SupernetCheckpoint checkpoint() {
        return checkpoint;
    }

    /**
     * Checks that the run's network is the supernet's: the same input channels and classes.
     *
     * @throws IllegalArgumentException naming the checkpoint and each mismatch
     */
    @Override
    public SupernetEstimator forNetwork(Shape input, int classes) {
        if (checkpoint != null) {
            SupernetBinding.requireNetwork(checkpoint, input, classes);
        }
        return this;
    }

    /**
     * Checks that the run's space is the supernet's: {@code mobilenet}, with the same options.
     *
     * @throws IllegalArgumentException naming the checkpoint and each option that differs
     */
    @Override
    public SupernetEstimator forSpace(SearchSpace space) {
        if (checkpoint != null) {
            SupernetBinding.requireSpace(checkpoint, space);
        }
        return this;
    }

    @Override
    public boolean isAccuracy() {
        return true;
    }

    /** Measures the subnet (the seed is not used: every candidate is calibrated on the same images). */
    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed) {
        SubnetEvaluation.Result r = measure(architecture);
        return new Estimate(r.top1(), "top1:" + checkpoint.run().dataset().name(), Map.of("validation_loss",
                r.loss(), "validation_images", r.validationImages(), "calibration_images", r.calibrationImages(),
                "wall_s", r.seconds()));
    }

    /**
     * The supernet's measurement of a subnet.
     *
     * @throws IllegalArgumentException if the subnet is outside the supernet's elastic range
     */
    public SubnetEvaluation.Result measure(Architecture subnet) {
        if (checkpoint == null) {
            throw new IllegalStateException("accuracy estimator supernet: no checkpoint given");
        }
        checkpoint.spec().check(subnet);
        // evaluations of one loaded supernet run one at a time (SupernetEvaluator is synchronised)
        return LOADED.computeIfAbsent(key(), k -> load()).evaluate(subnet);
    }

    private String key() {
        return checkpoint.dir().toAbsolutePath().normalize() + "|" + checkpoint.parameters().sha256() + "|"
                + bnBatches + "|" + bnBatchSize + "|" + validationImages + "|" + evalBatch;
    }

    /** The checkpoint's supernet, kept for the life of the process: every copy of this estimator shares it. */
    private SupernetEvaluator load() {
        return SupernetEvaluator.open(checkpoint.dir(), b -> b.bnBatches(bnBatches).bnBatchSize(bnBatchSize)
                .validationImages(validationImages).evalBatch(evalBatch));
    }
}
