package io.hwnas.core.supernet;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.train.Weights;
import java.nio.file.Path;

/**
 * Writes a subnet's inherited weights as a standalone network's weights file ({@link Weights}): the subnet of a
 * checkpoint's supernet with its batch-norm statistics recalibrated ({@link SubnetEvaluation#calibrated}), the
 * starting point of a deployable model or of its fine-tuning. Every DJL resource lives in one manager, closed
 * before it returns.
 */
public final class InheritedWeights {

    private InheritedWeights() {
    }

    /**
     * Loads {@code checkpoint}, recalibrates {@code subnet} on {@code bnBatches} batches of 64 of {@code data}'s
     * training images (seeded by the checkpoint's seed, the images the {@code supernet} estimator calibrates on), writes its weights to {@code file}
     * and, with {@code measure}, measures it on all of {@code data}'s validation images.
     *
     * @return the measurement, or null without {@code measure}
     * @throws IllegalArgumentException naming the subnet, if it is outside the supernet's elastic range
     */
    public static SubnetEvaluation.Result save(SupernetCheckpoint checkpoint, ImageDataset.Split data, int bnBatches,
            Architecture subnet, Path file, boolean measure) {
        try (NDManager m = NDManager.newBaseManager()) {
            SubnetEvaluation eval = SubnetEvaluation.builder(checkpoint.load(m), data).bnBatches(bnBatches)
                    .validationImages(data.validation().size()).seed(checkpoint.run().seed()).build();
            Weights.save(eval.calibrated(subnet, m), file);
            return measure ? eval.evaluate(subnet) : null;
        }
    }
}
