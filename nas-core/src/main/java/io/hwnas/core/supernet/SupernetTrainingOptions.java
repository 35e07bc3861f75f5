package io.hwnas.core.supernet;

import io.hwnas.core.data.Augmentation;
import java.util.Locale;

/**
 * The options of a {@link SupernetTraining}: the step budget and batch, the learning-rate schedule, the sandwich
 * step's SGD settings, and how often to checkpoint and validate. Build with {@link #builder()}.
 *
 * @param steps            sandwich steps in all (the schedule's horizon)
 * @param batch            training images per step
 * @param learningRate     peak learning rate
 * @param schedule         {@link Schedule#COSINE} or {@link Schedule#STEP}, both after a linear warm-up
 * @param warmupSteps      steps of linear warm-up from {@code learningRate / warmupSteps} to the peak
 * @param decayEvery       for {@link Schedule#STEP}: steps between two decays (after the warm-up)
 * @param decayFactor      for {@link Schedule#STEP}: the factor of each decay, in (0, 1]
 * @param momentum         SGD momentum
 * @param weightDecay      L2 weight decay
 * @param randomSubnets    random subnets per step besides the largest and the smallest
 * @param checkpointEvery  steps between two checkpoints (a checkpoint is also written at the end)
 * @param validateEvery    steps between two validations of the largest and smallest subnets, 0 for none
 * @param validationImages held-out images per validation (at most the validation set's size)
 * @param threads          PyTorch intra-op threads, 0 to keep the engine's
 * @param zeroInitResidual whether a fresh supernet starts with the scale (gamma) of each residual block's last
 *                         batch norm at zero, so that every residual block starts as the identity (BigNAS's
 *                         recipe for training supernets at a higher learning rate; torchvision's
 *                         {@code zero_init_residual})
 * @param augment          training-image augmentation (random flip and shift, {@link Augmentation}; the same
 *                         augmented batch feeds every subnet of a step), {@link Augmentation#NONE} for none
 */
public record SupernetTrainingOptions(int steps, int batch, double learningRate, Schedule schedule, int warmupSteps,
        int decayEvery, double decayFactor, double momentum, double weightDecay, int randomSubnets,
        int checkpointEvery, int validateEvery, int validationImages, int threads, boolean zeroInitResidual,
        Augmentation augment) {

    /** The learning-rate decay after the warm-up. */
    public enum Schedule {
        /** Half a cosine from the peak to zero over the steps after the warm-up. */
        COSINE,
        /** The peak multiplied by {@code decayFactor} every {@code decayEvery} steps after the warm-up. */
        STEP;

        /** The lower-case name used in checkpoints and configs. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The schedule of a lower-case name. */
        public static Schedule of(String id) {
            for (Schedule s : values()) {
                if (s.id().equals(id)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("learning-rate schedule '" + id + "' is not known; expected cosine "
                    + "or step");
        }
    }

    public SupernetTrainingOptions {
        require(steps > 0 && batch > 0, "steps and batch must be positive, but were " + steps + " and " + batch);
        require(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be positive, but was "
                + learningRate);
        require(schedule != null, "a learning-rate schedule is needed");
        require(warmupSteps >= 0, "warm-up steps must be >= 0, but were " + warmupSteps);
        require(decayEvery > 0 && decayFactor > 0 && decayFactor <= 1, "step decay needs decayEvery > 0 and a "
                + "factor in (0, 1], but had " + decayEvery + " and " + decayFactor);
        require(checkpointEvery > 0, "checkpoint interval must be positive, but was " + checkpointEvery);
        require(validateEvery >= 0 && validationImages > 0 && threads >= 0, "validation interval >= 0, validation "
                + "images > 0 and threads >= 0 are needed, but had " + validateEvery + ", " + validationImages
                + " and " + threads);
        require(augment != null, "an augmentation is needed (Augmentation.NONE for none)");
        sandwich(momentum, weightDecay, randomSubnets); // checks the SGD settings
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("supernet training: " + message);
        }
    }

    private static SandwichTraining.Options sandwich(double momentum, double weightDecay, int randomSubnets) {
        return new SandwichTraining.Options(momentum, weightDecay, randomSubnets);
    }

    /** The options of each sandwich step. */
    public SandwichTraining.Options sandwich() {
        return sandwich(momentum, weightDecay, randomSubnets);
    }

    /** The learning rate of step {@code t} (0-based): linear warm-up, then the schedule's decay. */
    public double rate(int t) {
        int warm = Math.min(warmupSteps, Math.max(0, steps - 1));
        if (t < warm) {
            return learningRate * (t + 1) / warm;
        }
        if (schedule == Schedule.STEP) {
            return learningRate * Math.pow(decayFactor, (t - warm) / decayEvery);
        }
        double progress = (double) (t - warm) / Math.max(1, steps - warm);
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.steps = steps;
        b.batch = batch;
        b.learningRate = learningRate;
        b.schedule = schedule;
        b.warmupSteps = warmupSteps;
        b.decayEvery = decayEvery;
        b.decayFactor = decayFactor;
        b.momentum = momentum;
        b.weightDecay = weightDecay;
        b.randomSubnets = randomSubnets;
        b.checkpointEvery = checkpointEvery;
        b.validateEvery = validateEvery;
        b.validationImages = validationImages;
        b.threads = threads;
        b.zeroInitResidual = zeroInitResidual;
        b.augment = augment;
        return b;
    }

    /**
     * Builds options. Defaults: 1,000 steps of batch 64, peak rate 0.05 (the four subnets' gradients are summed),
     * cosine after 50 warm-up steps (step schedule: x0.1 every 300 steps), momentum 0.9, weight decay 3e-5 (OFA's),
     * two random subnets, a checkpoint every 100 steps, validation on 500 images every 100 steps, the engine's threads,
     * batch-norm scales at one everywhere, no augmentation.
     */
    public static final class Builder {
        private int steps = 1000;
        private int batch = 64;
        private double learningRate = 0.05;
        private Schedule schedule = Schedule.COSINE;
        private int warmupSteps = 50;
        private int decayEvery = 300;
        private double decayFactor = 0.1;
        private double momentum = 0.9;
        private double weightDecay = 3e-5;
        private int randomSubnets = 2;
        private int checkpointEvery = 100;
        private int validateEvery = 100;
        private int validationImages = 500;
        private int threads;
        private boolean zeroInitResidual;
        private Augmentation augment = Augmentation.NONE;

        private Builder() {
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        /** A cosine decay to zero after the warm-up. */
        public Builder cosine() {
            schedule = Schedule.COSINE;
            return this;
        }

        /** A step decay: the rate multiplied by {@code factor} every {@code every} steps after the warm-up. */
        public Builder stepDecay(int every, double factor) {
            schedule = Schedule.STEP;
            decayEvery = every;
            decayFactor = factor;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder randomSubnets(int v) {
            randomSubnets = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        /** Validation every {@code every} steps (0: never) on {@code images} held-out images. */
        public Builder validation(int every, int images) {
            validateEvery = every;
            validationImages = images;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        /** Residual blocks start as the identity ({@link SupernetTrainingOptions#zeroInitResidual}). */
        public Builder zeroInitResidual(boolean v) {
            zeroInitResidual = v;
            return this;
        }

        /** Training images augmented by {@code a} ({@link SupernetTrainingOptions#augment}). */
        public Builder augment(Augmentation a) {
            augment = a;
            return this;
        }

        public SupernetTrainingOptions build() {
            return new SupernetTrainingOptions(steps, batch, learningRate, schedule, warmupSteps, decayEvery,
                    decayFactor, momentum, weightDecay, randomSubnets, checkpointEvery, validateEvery,
                    validationImages, threads, zeroInitResidual, augment);
        }
    }
}
