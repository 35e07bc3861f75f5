package io.hwnas.core.supernet;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.accuracy.EstimatorOptions;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.predictor.AccuracyPredictor;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Accuracy estimator {@code predictor}: the top-1 a supernet checkpoint's accuracy predictor ({@value #FILE} in the
 * checkpoint directory, written by {@code hwnas supernet fit-predictor}) predicts for a candidate's
 * {@link SubnetEncoding}, in microseconds. Option: {@code checkpoint} (required). Its values are predictions: a run
 * re-measures its Pareto members with {@link #measuredBy()}, the {@code supernet} estimator on the same checkpoint.
 * A candidate outside the supernet's elastic range is an {@link IllegalArgumentException} naming what lies outside.
 */
public final class PredictorEstimator implements AccuracyEstimator {

    /** The predictor's file in a checkpoint directory. */
    public static final String FILE = "predictor.json";

    private final SupernetCheckpoint checkpoint;
    private final AccuracyPredictor predictor;
    private final SubnetEncoding encoding;

    public PredictorEstimator() {
        this(null, null);
    }

    private PredictorEstimator(SupernetCheckpoint checkpoint, AccuracyPredictor predictor) {
        this.checkpoint = checkpoint;
        this.predictor = predictor;
        this.encoding = checkpoint == null ? null : new SubnetEncoding(checkpoint.spec());
    }

    @Override
    public String name() {
        return "predictor";
    }

    @Override
    public PredictorEstimator withOptions(Map<String, ?> options) {
        EstimatorOptions o = new EstimatorOptions("accuracy estimator predictor", options, Set.of("checkpoint"));
        String dir = o.text("checkpoint", checkpoint == null ? null : checkpoint.dir().toString());
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException("accuracy estimator predictor: option checkpoint is required (a "
                    + "supernet checkpoint directory with a " + FILE + " from `hwnas supernet fit-predictor`)");
        }
        if (checkpoint != null && checkpoint.dir().toString().equals(dir)) {
            return this;
        }
        SupernetCheckpoint c = SupernetEstimator.readCheckpoint(dir, "predictor");
        return new PredictorEstimator(c, load(c));
    }

    /**
     * The checkpoint's predictor, checked to be fitted on these parameters and this encoding.
     *
     * @throws IllegalArgumentException naming the file and what is wrong
     */
    static AccuracyPredictor load(SupernetCheckpoint c) {
        Path file = c.dir().resolve(FILE);
        AccuracyPredictor p;
        try {
            p = AccuracyPredictor.read(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("accuracy estimator predictor: " + e.getMessage(), e);
        }
        Object sha = p.info().get("parameters_sha256");
        if (!c.parameters().sha256().equals(sha)) {
            throw new IllegalArgumentException("accuracy estimator predictor: " + file + " was fitted on parameters "
                    + sha + ", but the checkpoint now has " + c.parameters().sha256() + " (step " + c.stepsDone()
                    + "); fit it again with `hwnas supernet fit-predictor --checkpoint " + c.dir() + "`");
        }
        int features = new SubnetEncoding(c.spec()).features();
        if (p.features() != features) {
            throw new IllegalArgumentException("accuracy estimator predictor: " + file + " takes " + p.features()
                    + " features, but this supernet's encoding has " + features);
        }
        return p;
    }

    /** The checkpoint's predictor, or null before the {@code checkpoint} option is given. */
    public AccuracyPredictor predictor() {
        return predictor;
    }

    @Override
    public Map<String, Object> options() {
        return Options.ordered("checkpoint", checkpoint == null ? "" : checkpoint.dir().toString());
    }

    /** Checks the run's input channels and classes against the checkpoint's (see {@link SupernetEstimator}). */
    @Override
    public PredictorEstimator forNetwork(Shape input, int classes) {
        if (checkpoint != null) {
            SupernetBinding.requireNetwork(checkpoint, input, classes);
        }
        return this;
    }

    /** Checks the run's space and its options against the checkpoint's. */
    @Override
    public PredictorEstimator forSpace(SearchSpace space) {
        if (checkpoint != null) {
            SupernetBinding.requireSpace(checkpoint, space);
        }
        return this;
    }

    /** The {@code supernet} estimator on the same checkpoint, with its default evaluation options. */
    @Override
    public Optional<AccuracyEstimator> measuredBy() {
        return checkpoint == null ? Optional.empty() : Optional.of(SupernetEstimator.of(checkpoint));
    }

    @Override
    public boolean isAccuracy() {
        return true;
    }

    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed) {
        if (predictor == null) {
            throw new IllegalStateException("accuracy estimator predictor: no checkpoint given");
        }
        long start = System.nanoTime();
        double top1 = predictor.predict(encoding.encode(architecture));
        return new Estimate(top1, "predicted-top1:" + checkpoint.run().dataset().name(), Map.of("wall_s",
                (System.nanoTime() - start) / 1e9));
    }
}
