package io.hwnas.core.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.Augmentation;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.train.TrainingDivergedException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Trains a {@link MobilenetSupernet} for a number of {@link SandwichTraining sandwich steps} over a dataset's
 * batches, with the options' learning-rate schedule, writing a {@link SupernetCheckpoint} every
 * {@code checkpointEvery} steps and at the end, and telling a {@link Listener} about every step.
 *
 * <p>Exactly resumable: every random choice of step {@code t} derives from the seed and {@code t} alone (the batch
 * order from {@code ImageDataset.permutation(size, 31 * seed + epoch)} as {@code Training} draws it, the random
 * subnets from {@link #subnetRandom}, the augmentation draws from {@link Augmentation#generator}), the optimiser is
 * plain SGD with momentum whose buffers the checkpoint keeps, and nothing else carries state from one step to the
 * next. So training N steps straight, and training K steps, then {@link #resume} from the checkpoint in a fresh
 * supernet to N, give bit-identical parameters on the same PyTorch build and thread count. A training that
 * {@link SupernetInit starts from another checkpoint's weights} loads them instead of initialising, and draws step
 * {@code t}'s batch and subnets as step {@code t} plus that checkpoint's steps would have.
 */
public final class SupernetTraining {

    /** Hears about every finished step (for a progress bar). */
    @FunctionalInterface
    public interface Listener {
        void onStep(Progress progress);
    }

    /**
     * One finished step.
     *
     * @param step          steps done, 1-based
     * @param steps         the run's step budget
     * @param learningRate  the step's learning rate
     * @param largestLoss   the largest subnet's cross-entropy on the step's batch
     * @param smallestLoss  the smallest subnet's cross-entropy on the step's batch
     * @param top1Largest   the largest subnet's validation top-1 in percent (batch-norm recalibrated), NaN on steps
     *                      without validation
     * @param top1Smallest  the smallest subnet's validation top-1 in percent, NaN on steps without validation; with
     *                      elastic group widths, of the smallest architecture at full group widths (what the
     *                      {@code supernet} estimator scores), where {@code smallestLoss} is at the narrowest
     * @param checkpointed  whether a checkpoint was written after this step
     */
    public record Progress(int step, int steps, double learningRate, double largestLoss, double smallestLoss,
            double top1Largest, double top1Smallest, boolean checkpointed) {

        /** Whether this step measured the validation top-1. */
        public boolean validated() {
            return !Double.isNaN(top1Largest);
        }
    }

    private final SupernetRun run;
    private final ImageDataset.Split data;
    private final ImageBatcher batcher;
    /** The batcher at each resolution subnets run at. */
    private final java.util.Map<Integer, ImageBatcher> batchers = new java.util.HashMap<>();
    private final Path dir;
    private final Listener listener;
    /** Training batches the progress validation recalibrates batch-norm statistics on. */
    static final int PROGRESS_BN_BATCHES = 4;

    private MobilenetSupernet supernet;
    private SandwichTraining training;
    private SubnetEvaluation progressEvaluation;

    private SupernetTraining(SupernetRun run, ImageDataset.Split data, Path dir, Listener listener) {
        this.run = run;
        this.data = data;
        this.dir = dir;
        this.listener = listener == null ? p -> { } : listener;
        SupernetSpec spec = run.spec();
        this.batcher = ImageBatcher.fitted(data.train(), new io.hwnas.core.ir.Shape(spec.channels(),
                spec.resolution(), spec.resolution()));
    }

    /** Trains a fresh supernet for all of the options' steps; see {@link #train(SupernetRun, ImageDataset.Split, Path, Listener, int)}. */
    public static SupernetCheckpoint train(SupernetRun run, ImageDataset.Split data, Path dir, Listener listener) {
        return train(run, data, dir, listener, run.options().steps());
    }

    /**
     * Trains a fresh supernet (initialised from the run's seed) for the first {@code until} of the options' steps
     * (the schedule still spans all of them), checkpointing into {@code dir}.
     *
     * @param listener told about each step, or {@code null}
     * @return the last checkpoint written (the one after step {@code until})
     * @throws IllegalArgumentException if the data do not fit the run (classes, sizes) or {@code until} is not in
     *         1..steps
     * @throws TrainingDivergedException if the largest subnet's loss stops being finite
     */
    public static SupernetCheckpoint train(SupernetRun run, ImageDataset.Split data, Path dir, Listener listener,
            int until) {
        return new SupernetTraining(run, data, dir, listener).go(null, until);
    }

    /** Resumes the checkpoint in {@code dir} up to all of its options' steps. */
    public static SupernetCheckpoint resume(Path dir, ImageDataset.Split data, Listener listener) {
        SupernetCheckpoint from = SupernetCheckpoint.read(dir);
        return new SupernetTraining(from.run(), data, dir, listener).go(from, from.run().options().steps());
    }

    /**
     * Resumes the checkpoint in {@code dir} (hashes checked) in a fresh supernet: its parameters, batch-norm
     * statistics and momentum buffers, then the steps after its {@code stepsDone} up to {@code until}, writing the
     * new checkpoints into the same directory. {@code data} must be the run's dataset (the checkpoint names it and
     * its sizes). A checkpoint already at {@code until} is returned as it is.
     *
     * @throws IllegalArgumentException if the checkpoint cannot be read or the data do not fit it
     */
    public static SupernetCheckpoint resume(Path dir, ImageDataset.Split data, Listener listener, int until) {
        SupernetCheckpoint from = SupernetCheckpoint.read(dir);
        return new SupernetTraining(from.run(), data, dir, listener).go(from, until);
    }

    /** The generator of step {@code t}'s random subnets: a function of the seed and the step only. */
    public static SplittableRandom subnetRandom(long seed, int t) {
        return new SplittableRandom(seed * 1_000_003L + t);
    }

    private SupernetCheckpoint go(SupernetCheckpoint from, int until) {
        SupernetSpec spec = run.spec();
        String where = from == null ? "supernet training" : from.dir().resolve(SupernetCheckpoint.MANIFEST)
                .toString();
        if (data.train().classes() != spec.classes()) {
            throw new IllegalArgumentException(where + ": the supernet has " + spec.classes() + " classes, but "
                    + data.train().name() + " has " + data.train().classes());
        }
        run.dataset().check(data, where);
        int start = from == null ? 0 : from.stepsDone();
        if (until < 1 || until > run.options().steps()) {
            throw new IllegalArgumentException(where + ": can train up to step 1.." + run.options().steps()
                    + ", not " + until);
        }
        if (start >= until) {
            return from;
        }
        int threads = run.options().threads();
        return Autograd.exclusive(run.seed(), () -> DjlRuntime.withThreads(threads, () -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                return loop(manager, from, start, until);
            }
        }));
    }

    private SupernetCheckpoint loop(NDManager manager, SupernetCheckpoint from, int start, int until) {
        supernet = MobilenetSupernet.create(run.spec(), manager);
        if (from == null && run.init() != null) {
            run.init().load(supernet);
        } else if (from == null && run.options().zeroInitResidual()) {
            supernet.zeroInitResidual();
        }
        training = new SandwichTraining(supernet, run.options().sandwich(), run.seed(), manager);
        if (from != null) {
            from.loadParameters(supernet);
            from.loadOptimizer(supernet, training);
        }
        SupernetTrainingOptions o = run.options();
        SupernetCheckpoint last = from;
        for (int t = start; t < until; t++) {
            double lr = o.rate(t);
            SandwichTraining.Losses losses = step(manager, t, lr);
            int done = t + 1;
            boolean checkpoint = done % o.checkpointEvery() == 0 || done == until;
            if (checkpoint) {
                last = SupernetCheckpoint.write(dir, run, done, supernet, training);
            }
            boolean validate = o.validateEvery() > 0 && done % o.validateEvery() == 0;
            double top1Largest = validate ? top1(run.spec().largest()) : Double.NaN;
            double top1Smallest = validate ? top1(run.spec().smallest()) : Double.NaN;
            listener.onStep(new Progress(done, o.steps(), lr, losses.largest(), losses.smallest(), top1Largest,
                    top1Smallest, checkpoint));
        }
        return last;
    }

    private SandwichTraining.Losses step(NDManager manager, int t, double lr) {
        ImageDataset train = data.train();
        SupernetSpec spec = run.spec();
        int batch = Math.min(run.options().batch(), train.size());
        int perEpoch = Math.max(1, train.size() / batch);
        int u = t + run.stepOffset(); // a warm start's data and subnets go on after its checkpoint's
        int[] order = ImageDataset.permutation(train.size(), run.seed() * 31 + u / perEpoch);
        int from = (u % perEpoch) * batch;
        Augmentation augment = run.options().augment();
        try (NDManager step = manager.newSubManager()) {
            java.util.Map<Integer, NDArray> x = new java.util.HashMap<>();
            java.util.function.IntFunction<NDArray> at = r -> x.computeIfAbsent(r, k -> step.create(
                    batchers.computeIfAbsent(r, q -> batcher.at(new io.hwnas.core.ir.Shape(spec.channels(), r, r)))
                            .fill(train, order, from, from + batch, augment, augment.none() ? null
                                    : Augmentation.generator(run.seed(), u)), // the same draws at each resolution
                    new Shape(batch, spec.channels(), r, r)));
            NDArray y = step.create(oneHot(train, order, from, batch, spec.classes()),
                    new Shape(batch, spec.classes()));
            SandwichTraining.Losses losses = training.step(at, y, lr, subnetRandom(run.seed(), u));
            if (!Double.isFinite(losses.largest())) {
                throw new TrainingDivergedException(String.format(Locale.ROOT,
                        "supernet training: the largest subnet's loss became %s at step %d of %d (learning rate "
                                + "%.4g)", losses.largest(), t + 1, run.options().steps(), lr));
            }
            return losses;
        }
    }

    private static float[] oneHot(ImageDataset d, int[] order, int from, int batch, int classes) {
        float[] y = new float[batch * classes];
        for (int j = 0; j < batch; j++) {
            y[j * classes + d.label(order[from + j])] = 1f;
        }
        return y;
    }

    /**
     * Top-1 in percent of a subnet on the first {@code validationImages} held-out images, after recalibrating its
     * batch-norm statistics on {@link #PROGRESS_BN_BATCHES} training batches (as {@link SubnetEvaluation} does, on
     * a standalone copy: the supernet's own running statistics mix every subnet trained and would understate all
     * but the largest); it changes no state of the supernet or of the training.
     */
    private double top1(Architecture subnet) {
        if (progressEvaluation == null) {
            progressEvaluation = SubnetEvaluation.builder(supernet, data).bnBatches(PROGRESS_BN_BATCHES)
                    .bnBatchSize(Math.min(run.options().batch(), data.train().size()))
                    .validationImages(Math.min(run.options().validationImages(), data.validation().size()))
                    .seed(run.seed()).build();
        }
        return progressEvaluation.evaluate(subnet).top1();
    }
}
