package io.hwnas.core.supernet;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.Autograd;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * A checkpoint's supernet loaded once, with the split it was trained on, scoring subnets by {@link SubnetEvaluation}
 * (exact batch-norm recalibration, then top-1 on held-out images). Evaluations run one at a time (they share the
 * loaded weights and use every PyTorch thread anyway); close it to free the weights.
 */
public final class SupernetEvaluator implements AutoCloseable {

    private final SupernetCheckpoint checkpoint;
    private final NDManager manager;
    private final SubnetEvaluation evaluation;

    private SupernetEvaluator(SupernetCheckpoint checkpoint, NDManager manager, SubnetEvaluation evaluation) {
        this.checkpoint = checkpoint;
        this.manager = manager;
        this.evaluation = evaluation;
    }

    /**
     * Loads the checkpoint in {@code dir} (hashes checked) and its dataset split, with the evaluation settings
     * {@code settings} makes of the defaults (bn batches, validation images, ...; the seed is the checkpoint's).
     *
     * @throws IllegalArgumentException if the checkpoint cannot be read or its dataset does not load as recorded
     */
    public static SupernetEvaluator open(Path dir, UnaryOperator<SubnetEvaluation.Builder> settings) {
        SupernetCheckpoint c = SupernetCheckpoint.read(dir);
        SupernetRun run = c.run();
        ImageDataset.Split data = run.dataset().load(run.seed());
        NDManager m = NDManager.newBaseManager();
        try {
            MobilenetSupernet supernet = Autograd.withoutGradients(() -> c.load(m));
            SubnetEvaluation e = settings.apply(SubnetEvaluation.builder(supernet, data).seed(run.seed())).build();
            return new SupernetEvaluator(c, m, e);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public SupernetCheckpoint checkpoint() {
        return checkpoint;
    }

    /** The supernet's elastic range. */
    public SupernetSpec spec() {
        return checkpoint.spec();
    }

    /** How many held-out images each evaluation counts: the first ones of the checkpoint's validation split. */
    public int validationImages() {
        return evaluation.validationImages();
    }

    /** Names the validation images each evaluation counts. */
    public String describeValidation() {
        return evaluation.describeValidation();
    }

    /**
     * Recalibrates and measures one subnet.
     *
     * @throws IllegalArgumentException naming the subnet, if it is outside the supernet's elastic range
     */
    public synchronized SubnetEvaluation.Result evaluate(Architecture subnet) {
        return evaluation.evaluate(subnet);
    }

    @Override
    public synchronized void close() {
        manager.close();
    }
}
