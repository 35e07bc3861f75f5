package io.hwnas.core.supernet;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.predictor.AccuracyPredictor;
import io.hwnas.core.predictor.Mlp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

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

    /**
     * What a fitting did.
     *
     * @param predictor the predictor written
     * @param scores    each model's held-out figures, the written one's first
     * @param subnets   the measured subnets, fitted ones first
     * @param top1      their measured top-1
     * @param measureSeconds wall seconds of all the measurements
     */
    public record Result(AccuracyPredictor predictor, List<Score> scores, List<Architecture> subnets, double[] top1,
            double measureSeconds) {
    }

    private PredictorFitting() {
    }

    /**
     * Measures, fits and writes, as the class describes.
     *
     * @param measure  the supernet estimator on the checkpoint
     * @param kind     the model written: {@code mlp} or {@code ridge}
     * @param progress told each measured subnet's index (from 1) and result; may be null
     * @throws IllegalArgumentException for fewer than 2 samples or held-out subnets, or an unknown kind
     */
    public static Result fit(SupernetEstimator measure, int samples, int holdout, long seed, String kind,
            Mlp.Training training, Consumer<SubnetEvaluation.Result> progress) {
        if (samples < 2 || holdout < 2) {
            throw new IllegalArgumentException("fit-predictor needs at least 2 samples and 2 held-out subnets, but "
                    + "was given " + samples + " and " + holdout);
        }
        if (!AccuracyPredictor.KINDS.contains(kind)) {
            throw new IllegalArgumentException("predictor model " + kind + " is not one of " + AccuracyPredictor.KINDS);
        }
        SupernetCheckpoint c = measure.checkpoint();
        List<Architecture> subnets = draw(c.spec(), samples + holdout, seed);
        SubnetEncoding enc = new SubnetEncoding(c.spec());
        double[][] x = new double[subnets.size()][];
        double[] y = new double[subnets.size()];
        long start = System.nanoTime();
        for (int i = 0; i < subnets.size(); i++) {
            SubnetEvaluation.Result r = measure.measure(subnets.get(i));
            x[i] = enc.encode(subnets.get(i));
            y[i] = r.top1();
            if (progress != null) {
                progress.accept(r);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[][] fitX = java.util.Arrays.copyOf(x, samples);
        double[] fitY = java.util.Arrays.copyOf(y, samples);
        double[][] testX = java.util.Arrays.copyOfRange(x, samples, x.length);
        double[] testY = java.util.Arrays.copyOfRange(y, samples, y.length);
        List<Score> scores = new ArrayList<>();
        AccuracyPredictor chosen = null;
        List<String> kinds = new ArrayList<>(List.of(kind));
        AccuracyPredictor.KINDS.stream().filter(k -> !k.equals(kind)).forEach(kinds::add);
        for (String k : kinds) {
            AccuracyPredictor p = AccuracyPredictor.fit(k, fitX, fitY, training.withSeed(seed));
            double[] predicted = new double[testX.length];
            for (int i = 0; i < predicted.length; i++) {
                predicted[i] = p.predict(testX[i]);
            }
            double[] rc = AccuracyPredictor.rankCorrelations(predicted, testY);
            scores.add(new Score(k, rc[0], rc[1]));
            chosen = chosen == null ? p : chosen;
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("parameters_sha256", c.parameters().sha256());
        info.put("steps_done", c.stepsDone());
        info.put("samples", samples);
        info.put("holdout", holdout);
        info.put("seed", seed);
        info.put("validation_images", measure.options().get("validation_images"));
        for (Score s : scores) {
            info.put(s.kind() + "_holdout_spearman", s.spearman());
            info.put(s.kind() + "_holdout_kendall", s.kendall());
        }
        AccuracyPredictor written = chosen.withInfo(info);
        writeSamples(c, subnets, y);
        written.write(c.dir().resolve(PredictorEstimator.FILE));
        return new Result(written, scores, subnets, y, seconds);
    }

    /** {@code n} distinct subnets drawn from the elastic range by a generator seeded with {@code seed}. */
    static List<Architecture> draw(SupernetSpec spec, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<Architecture> out = new ArrayList<>();
        for (int tries = 0; out.size() < n && tries < 100 * n; tries++) {
            Architecture a = spec.sample(r);
            if (seen.add(a.canonical())) {
                out.add(a);
            }
        }
        return out;
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
