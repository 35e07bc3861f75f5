package io.hwnas.experiments.cli;

import io.hwnas.core.supernet.SubnetEvaluation;
import picocli.CommandLine.Option;

/** How a command scores subnets with inherited weights: batch-norm recalibration and the held-out images counted. */
final class SubnetEvaluationOptions {

    @Option(names = "--bn-batches", description = "training batches for batch-norm recalibration "
            + "(default ${DEFAULT-VALUE})")
    int bnBatches = 16;

    @Option(names = "--bn-batch-size", description = "images per recalibration batch (default ${DEFAULT-VALUE})")
    int bnBatchSize = 64;

    @Option(names = "--validation-images", description = "held-out images counted (default ${DEFAULT-VALUE}, "
            + "at most the checkpoint's validation split)")
    int validationImages = 5000;

    /** These settings on an evaluation builder. */
    SubnetEvaluation.Builder apply(SubnetEvaluation.Builder b) {
        return b.bnBatches(bnBatches).bnBatchSize(bnBatchSize).validationImages(validationImages);
    }
}
