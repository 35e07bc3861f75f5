package io.hwnas.core.train;

import io.hwnas.core.data.Augmentation;

/**
 * How to train: SGD with momentum (optionally Nesterov), weight decay, a linear warm-up then a
 * cosine learning-rate decay to zero, over an epoch budget or, when {@code steps > 0}, a step budget.
 *
 * @param epochs         passes over the training set (used when {@code steps == 0})
 * @param steps          optimiser steps; 0 to use {@code epochs}
 * @param batch          images per step
 * @param learningRate   peak learning rate
 * @param momentum       SGD momentum in [0, 1)
 * @param nesterov       Nesterov momentum
 * @param weightDecay    L2 penalty added to the gradient
 * @param warmupSteps    steps of linear warm-up from 0 to the peak rate
 * @param evalBatch      images per forward pass during validation
 * @param threads        intra-op CPU threads of the engine while training (0: the engine's
 *                       default). PyTorch's CPU results depend on the thread count, so a fixed
 *                       count gives the same numbers on every executor and machine.
 * @param bnCalibration  batches of {@code batch} training images over which every batch-norm layer's
 *                       statistics are recomputed exactly before validation (0: validate with the
 *                       running averages training left, which lag far behind the weights after a few
 *                       dozen steps)
 * @param augment        training-image augmentation ({@link Augmentation#NONE}: none)
 */
public record TrainOptions(double epochs, int steps, int batch, double learningRate, double momentum,
        boolean nesterov, double weightDecay, int warmupSteps, int evalBatch, int threads, int bnCalibration,
        Augmentation augment) {

    public TrainOptions {
        require(epochs > 0 || steps > 0, "epochs or steps must be positive, but were " + epochs + " and " + steps);
        require(steps >= 0, "steps must be >= 0, but was " + steps);
        require(batch > 0, "batch must be positive, but was " + batch);
        require(learningRate > 0, "learning rate must be positive, but was " + learningRate);
        require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), but was " + momentum);
        require(weightDecay >= 0, "weight decay must be >= 0, but was " + weightDecay);
        require(warmupSteps >= 0, "warm-up steps must be >= 0, but was " + warmupSteps);
        require(evalBatch > 0, "evaluation batch must be positive, but was " + evalBatch);
        require(threads >= 0, "threads must be >= 0, but was " + threads);
        require(bnCalibration >= 0, "batch-norm calibration batches must be >= 0, but was " + bnCalibration);
        java.util.Objects.requireNonNull(augment, "augment");
    }

    /** Options without augmentation. */
    public TrainOptions(double epochs, int steps, int batch, double learningRate, double momentum, boolean nesterov,
            double weightDecay, int warmupSteps, int evalBatch, int threads, int bnCalibration) {
        this(epochs, steps, batch, learningRate, momentum, nesterov, weightDecay, warmupSteps, evalBatch, threads,
                bnCalibration, Augmentation.NONE);
    }

    /** Options that validate with the running batch-norm statistics ({@code bnCalibration} 0). */
    public TrainOptions(double epochs, int steps, int batch, double learningRate, double momentum, boolean nesterov,
            double weightDecay, int warmupSteps, int evalBatch, int threads) {
        this(epochs, steps, batch, learningRate, momentum, nesterov, weightDecay, warmupSteps, evalBatch, threads, 0);
    }

    /** One epoch, batch 64, rate 0.05, momentum 0.9, Nesterov, decay 5e-4, 50 warm-up steps. */
    public static TrainOptions defaults() {
        return new TrainOptions(1, 0, 64, 0.05, 0.9, true, 5e-4, 50, 256, 0);
    }

    public TrainOptions withEpochs(double e) {
        return new TrainOptions(e, 0, batch, learningRate, momentum, nesterov, weightDecay,
                warmupSteps, evalBatch, threads, bnCalibration, augment);
    }

    public TrainOptions withSteps(int s) {
        return new TrainOptions(epochs, s, batch, learningRate, momentum, nesterov, weightDecay,
                warmupSteps, evalBatch, threads, bnCalibration, augment);
    }

    public TrainOptions withBatch(int b) {
        return new TrainOptions(epochs, steps, b, learningRate, momentum, nesterov, weightDecay,
                warmupSteps, evalBatch, threads, bnCalibration, augment);
    }

    public TrainOptions withLearningRate(double lr) {
        return new TrainOptions(epochs, steps, batch, lr, momentum, nesterov, weightDecay,
                warmupSteps, evalBatch, threads, bnCalibration, augment);
    }

    public TrainOptions withWarmup(int w) {
        return new TrainOptions(epochs, steps, batch, learningRate, momentum, nesterov, weightDecay,
                w, evalBatch, threads, bnCalibration, augment);
    }

    public TrainOptions withThreads(int n) {
        return new TrainOptions(epochs, steps, batch, learningRate, momentum, nesterov, weightDecay, warmupSteps,
                evalBatch, n, bnCalibration, augment);
    }

    public TrainOptions withBnCalibration(int batches) {
        return new TrainOptions(epochs, steps, batch, learningRate, momentum, nesterov, weightDecay, warmupSteps,
                evalBatch, threads, batches, augment);
    }

    public TrainOptions withAugmentation(Augmentation a) {
        return new TrainOptions(epochs, steps, batch, learningRate, momentum, nesterov, weightDecay, warmupSteps,
                evalBatch, threads, bnCalibration, a);
    }

    /** The learning rate at step {@code t} of {@code total}: linear warm-up, then cosine to zero. */
    public double rate(int t, int total) {
        int warm = Math.min(warmupSteps, Math.max(0, total - 1));
        if (t < warm) {
            return learningRate * (t + 1) / warm;
        }
        double progress = (double) (t - warm) / Math.max(1, total - warm);
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /** The number of steps for a training set of {@code trainSize} images. */
    public int totalSteps(int trainSize) {
        if (steps > 0) {
            return steps;
        }
        int perEpoch = Math.max(1, trainSize / batch);
        return Math.max(1, (int) Math.round(epochs * perEpoch));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("training: " + message);
        }
    }
}
