package io.hwnas.core.train;

import java.util.List;

/**
 * The outcome of one training run.
 *
 * @param top1           validation top-1 accuracy in percent
 * @param validationLoss mean validation cross-entropy
 * @param lossCurve      training loss of every step
 * @param steps          optimiser steps taken
 * @param trainImages    images seen in training (with repeats)
 * @param wallSeconds    wall time of training and validation
 * @param imagesPerSecond training throughput (training steps only)
 */
public record TrainResult(double top1, double validationLoss, List<Double> lossCurve, int steps, long trainImages,
        double wallSeconds, double imagesPerSecond) {

    public TrainResult {
        lossCurve = List.copyOf(lossCurve);
    }

    /** The mean training loss of the last {@code n} steps. */
    public double finalLoss(int n) {
        int from = Math.max(0, lossCurve.size() - n);
        return lossCurve.subList(from, lossCurve.size()).stream().mapToDouble(Double::doubleValue).average()
                .orElse(Double.NaN);
    }
}
