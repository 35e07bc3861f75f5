package io.hwnas.core.supernet;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.predictor.AccuracyPredictor;
import io.hwnas.core.predictor.Mlp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Fits a checkpoint's accuracy predictor: measures {@code samples + holdout} distinct seeded subnets with the
 * {@code supernet} estimator, fits an MLP and a ridge regression on the first {@code samples}, scores both on the
 * {@code holdout} others (Spearman and Kendall against the measured top-1), and writes the chosen model as
 * {@value PredictorEstimator#FILE} and every measurement as {@value #SAMPLES} ({@code arch,top1}) into the
 * checkpoint directory, atomically.
 */
public final class PredictorFitting {

    /** The measured subnets' file in a checkpoint directory. */
    public static final String SAMPLES = "predictor-samples.csv";

    /** One model's figures on the held-out subnets. */
    public record Score(String kind, double spearman, double kendall) {
    }

    /** A subnet whose measurement failed, and why; it was replaced by the next drawn subnet. */
    public record Failure(Architecture subnet, String reason) {
    }

    /** Told of every measurement as it ends. */
    public interface Listener {
        /** A subnet was measured. */
        void measured(SubnetEvaluation.Result result);

        /** A subnet's measurement failed; the fitting goes on with the next drawn subnet. */
        void failed(Failure failure);
    }

    /**
     * What a fitting did.
     *
     * @param predictor the predictor written
     * @param scores    each model's held-out figures, the written one's first
     * @param subnets   the measured subnets, fitted ones first
     * @param top1      their measured top-1
     * @param failures  the subnets whose measurement failed, skipped
     * @param measureSeconds wall seconds of all the measurements
     */
    public record Result(AccuracyPredictor predictor, List<Score> scores, List<Architecture> subnets, double[] top1,
            List<Failure> failures, double measureSeconds) {
    }

    private PredictorFitting() {
    }

    /**
     * Measures, fits and writes, as the class describes. A subnet whose measurement fails (an exception, or a
     * top-1 that is not finite) is skipped and replaced by the next subnet the seeded generator draws, so one bad
     * subnet does not lose the others' measurements; more than {@code samples + holdout} failures in all end the
     * fitting.
     *
     * @param measure  the supernet estimator on the checkpoint
     * @param kind     the model written: {@code mlp} or {@code ridge}
     * @param listener told of each measurement; may be null
     * @throws IllegalArgumentException for fewer than 2 samples or held-out subnets, or an unknown kind
     * @throws IllegalStateException when too many measurements failed, naming the last reason
     */
    public static Result fit(SupernetEstimator measure, int samples, int holdout, long seed, String kind,
            Mlp.Training training, Listener listener) {
        return fit(measure, measure::measure, samples, holdout, seed, kind, training, listener);
    }

    static Result fit(SupernetEstimator measure, Function<Architecture, SubnetEvaluation.Result> measurer,
            int samples, int holdout, long seed, String kind, Mlp.Training training, Listener listener) {
        if (samples < 2 || holdout < 2) {
            throw new IllegalArgumentException("fit-predictor needs at least 2 samples and 2 held-out subnets, but "
                    + "was given " + samples + " and " + holdout);
        }
        if (!AccuracyPredictor.KINDS.contains(kind)) {
            throw new IllegalArgumentException("predictor model " + kind + " is not one of " + AccuracyPredictor.KINDS);
        }
        SupernetCheckpoint c = measure.checkpoint();
        long start = System.nanoTime();
        Measurements m = measureAll(c.spec(), measurer, samples + holdout, seed, listener);
        double seconds = (System.nanoTime() - start) / 1e9;
        SubnetEncoding enc = new SubnetEncoding(c.spec());
        double[][] x = new double[m.subnets.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = enc.encode(m.subnets.get(i));
        }
        double[] y = m.top1();
        List<Score> scores = new ArrayList<>();
        AccuracyPredictor chosen = null;
        List<String> kinds = new ArrayList<>(List.of(kind));
        AccuracyPredictor.KINDS.stream().filter(k -> !k.equals(kind)).forEach(kinds::add);
        for (String k : kinds) {
            AccuracyPredictor p = AccuracyPredictor.fit(k, Arrays.copyOf(x, samples), Arrays.copyOf(y, samples),
                    training.withSeed(seed));
            double[] predicted = new double[x.length - samples];
            for (int i = 0; i < predicted.length; i++) {
                predicted[i] = p.predict(x[samples + i]);
            }
            double[] rc = AccuracyPredictor.rankCorrelations(predicted, Arrays.copyOfRange(y, samples, y.length));
            scores.add(new Score(k, rc[0], rc[1]));
            chosen = chosen == null ? p : chosen;
        }
        AccuracyPredictor written = chosen.withInfo(info(c, measure, samples, holdout, seed, scores, m.failures));
        writeSamples(c, m.subnets, y);
        written.write(c.dir().resolve(PredictorEstimator.FILE));
        return new Result(written, scores, m.subnets, y, m.failures, seconds);
    }

    /** The measured subnets, their top-1 and the failures, in drawing order. */
    private record Measurements(List<Architecture> subnets, List<Double> values, List<Failure> failures) {
        double[] top1() {
            return values.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    private static Measurements measureAll(SupernetSpec spec, Function<Architecture, SubnetEvaluation.Result> measurer,
            int n, long seed, Listener listener) {
        SplittableRandom r = new SplittableRandom(seed);
        Set<String> seen = new LinkedHashSet<>();
        Measurements m = new Measurements(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int tries = 0; m.subnets.size() < n && tries < 100 * n; tries++) {
            Architecture a = spec.sample(r);
            if (!seen.add(a.canonical())) {
                continue;
            }
            String reason;
            try {
                SubnetEvaluation.Result e = measurer.apply(a);
                if (Double.isFinite(e.top1())) {
                    m.subnets.add(a);
                    m.values.add(e.top1());
                    if (listener != null) {
                        listener.measured(e);
                    }
                    continue;
                }
                reason = "top-1 is " + e.top1();
            } catch (RuntimeException e) {
                reason = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            Failure f = new Failure(a, reason);
            m.failures.add(f);
            if (listener != null) {
                listener.failed(f);
            }
            if (m.failures.size() > n) {
                throw new IllegalStateException("fit-predictor: " + m.failures.size() + " subnet measurements failed ("
                        + m.subnets.size() + " of " + n + " measured); the last: " + reason);
            }
        }
        if (m.subnets.size() < n) {
            throw new IllegalStateException("fit-predictor: the elastic range holds only " + m.subnets.size()
                    + " distinct measurable subnets, fewer than the " + n + " asked for");
        }
        return m;
    }

    private static Map<String, Object> info(SupernetCheckpoint c, SupernetEstimator measure, int samples, int holdout,
            long seed, List<Score> scores, List<Failure> failures) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("parameters_sha256", c.parameters().sha256());
        info.put("steps_done", c.stepsDone());
        info.put("samples", samples);
        info.put("holdout", holdout);
        info.put("seed", seed);
        info.put("validation_images", measure.options().get("validation_images"));
        info.put("failed_measurements", failures.size());
        for (Score s : scores) {
            info.put(s.kind() + "_holdout_spearman", s.spearman());
            info.put(s.kind() + "_holdout_kendall", s.kendall());
        }
        return info;
    }

    private static void writeSamples(SupernetCheckpoint c, List<Architecture> subnets, double[] top1) {
        StringBuilder b = new StringBuilder("arch,top1\n");
        for (int i = 0; i < subnets.size(); i++) {
            b.append('"').append(subnets.get(i).canonical()).append('"').append(',')
                    .append(String.format(Locale.ROOT, "%.4f", top1[i])).append('\n');
        }
        AtomicFiles.writeString(c.dir().resolve(SAMPLES), b);
    }
}
