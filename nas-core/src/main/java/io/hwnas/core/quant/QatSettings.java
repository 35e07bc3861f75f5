package io.hwnas.core.quant;

/**
 * How {@link QuantisedTraining} calibrates and fine-tunes.
 *
 * @param steps              SGD steps with fake quantisation (0: post-training quantisation only)
 * @param batch              images per step and per calibration batch
 * @param learningRate       peak learning rate (cosine decay to 0 over the steps, no warm-up)
 * @param momentum           SGD momentum in [0, 1)
 * @param weightDecay        L2 penalty added to the gradient
 * @param calibrationBatches training batches whose minimum and maximum give each activation range
 * @param bnBatches          training batches over which batch-norm statistics are recomputed exactly, after pruning
 *                           and again after fine-tuning (0: keep the inherited ones)
 * @param clippedSte         whether activation gradients are zero outside the range (else plain STE)
 * @param ema                momentum with which fine-tuning moves each range to the batch's (0: ranges fixed)
 * @param threads            PyTorch intra-op threads (0: the engine's default)
 * @param evalBatch          images per validation forward pass
 * @param ranges             what fine-tuning does with the calibrated ranges: {@code calibrated} keeps them (or moves
 *                           them by {@code ema}); {@code learned} learns each range's ends by gradient descent
 *                           (LSQ-style: straight-through rounding, gradients scaled by {@code 1 / sqrt(elements per
 *                           image * levels)}); {@code pact} learns the clipping level of every ReLU-bounded input
 *                           (range {@code [0, alpha]}), PACT-style ({@link PactClipping})
 * @param percentile         the calibration percentile ({@link PercentileRange}; 100: min/max)
 * @param distill            weight in [0, 1] of knowledge distillation from the network fine-tuning starts from
 *                           (uncompressed, in float): each step's target is {@code (1 - distill) * one-hot +
 *                           distill * softmax(start's logits)}, so the loss is the cross-entropy plus {@code distill}
 *                           times the KL divergence from the start's prediction (Hinton et al. 2015 at temperature 1;
 *                           the fine-tuning with distillation of HAQ, APQ and AMC's follow-ups); 0: labels only
 */
public record QatSettings(int steps, int batch, double learningRate, double momentum, double weightDecay,
        int calibrationBatches, int bnBatches, boolean clippedSte, double ema, int threads, int evalBatch,
        String ranges, double percentile, double distill) {

    /** The values of {@link #ranges}. */
    public static final java.util.List<String> RANGES = java.util.List.of("calibrated", "learned", "pact");

    public QatSettings {
        require(steps >= 0, "steps must be >= 0, but was " + steps);
        require(batch > 0, "batch must be positive, but was " + batch);
        require(learningRate > 0, "lr must be positive, but was " + learningRate);
        require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), but was " + momentum);
        require(weightDecay >= 0, "weight_decay must be >= 0, but was " + weightDecay);
        require(calibrationBatches > 0, "calibration_batches must be positive, but was " + calibrationBatches);
        require(bnBatches >= 0, "bn_batches must be >= 0, but was " + bnBatches);
        require(ema >= 0 && ema < 1, "ema must be in [0, 1), but was " + ema);
        require(threads >= 0, "threads must be >= 0, but was " + threads);
        require(evalBatch > 0, "eval_batch must be positive, but was " + evalBatch);
        require(RANGES.contains(ranges), "ranges = " + ranges + " is not allowed; expected one of " + RANGES);
        require(!(!ranges.equals("calibrated") && ema > 0), "ranges: " + ranges
                + " and ema > 0 exclude each other; give one");
        require(percentile > PercentileRange.MIN && percentile <= 100, "percentile = " + percentile
                + " is not allowed; expected a percentile above 50 and at most 100");
        require(distill >= 0 && distill <= 1, "distill = " + distill + " is not allowed; expected a weight in [0, 1]");
    }

    /** Whether fine-tuning distils from the start network. */
    public boolean distils() {
        return distill > 0;
    }

    /** Whether fine-tuning learns both ends of every range (LSQ-style). */
    public boolean learnedRanges() {
        return ranges.equals("learned");
    }

    /** Whether fine-tuning learns PACT clipping levels. */
    public boolean pact() {
        return ranges.equals("pact");
    }

    /**
     * 50 steps of 64 images at rate 0.005, momentum 0.9, no decay, 4 calibration and 8 batch-norm batches, clipped
     * STE, calibrated (min/max) ranges, no distillation.
     */
    public static QatSettings defaults() {
        return new QatSettings(50, 64, 0.005, 0.9, 0, 4, 8, true, 0, 0, 256, "calibrated", 100, 0);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("qat: " + message);
        }
    }
}
