package io.hwnas.core.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccuracyPredictorTest {

    /** One-hot rows of 10 slots of 3 choices; the target has a pairwise interaction a linear model cannot fit. */
    private static double[][] rows(int n, long seed, double[] y) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][30];
        for (int k = 0; k < n; k++) {
            int[] c = new int[10];
            for (int s = 0; s < 10; s++) {
                c[s] = r.nextInt(3);
                x[k][s * 3 + c[s]] = 1;
            }
            double v = 70;
            for (int s = 0; s < 10; s++) {
                v += c[s] * (s % 3);
            }
            v += c[0] == c[1] ? 6 : 0;
            y[k] = v;
        }
        return x;
    }

    @Test
    void theMlpLearnsAnInteractionRidgeCannotAndIsDeterministic() {
        double[] y = new double[300];
        double[][] x = rows(300, 1, y);
        double[] ty = new double[200];
        double[][] tx = rows(200, 2, ty);
        Mlp.Training t = Mlp.Training.defaults().withEpochs(150);
        AccuracyPredictor mlp = AccuracyPredictor.fit("mlp", x, y, t);
        AccuracyPredictor ridge = AccuracyPredictor.fit("ridge", x, y, t);
        double[] pm = new double[200];
        double[] pr = new double[200];
        double mseM = 0;
        double mseR = 0;
        for (int i = 0; i < 200; i++) {
            pm[i] = mlp.predict(tx[i]);
            pr[i] = ridge.predict(tx[i]);
            mseM += (pm[i] - ty[i]) * (pm[i] - ty[i]) / 200;
            mseR += (pr[i] - ty[i]) * (pr[i] - ty[i]) / 200;
        }
        double sm = AccuracyPredictor.rankCorrelations(pm, ty)[0];
        double sr = AccuracyPredictor.rankCorrelations(pr, ty)[0];
        assertTrue(sm > 0.8 && sm > sr + 0.1, "spearman mlp " + sm + ", ridge " + sr);
        assertTrue(mseM < mseR / 2, "mlp mse " + mseM + " vs ridge " + mseR);
        assertEquals(mlp.predict(tx[7]), AccuracyPredictor.fit("mlp", x, y, t).predict(tx[7]));
        assertThrows(IllegalArgumentException.class, () -> AccuracyPredictor.fit("tree", x, y, t));
        assertThrows(IllegalArgumentException.class, () -> mlp.predict(new double[3]));
    }

    @Test
    void aWrittenPredictorReadsBackTheSame(@TempDir Path dir) {
        double[] y = new double[60];
        double[][] x = rows(60, 3, y);
        for (String kind : AccuracyPredictor.KINDS) {
            AccuracyPredictor p = AccuracyPredictor.fit(kind, x, y, Mlp.Training.defaults().withEpochs(5))
                    .withInfo(Map.of("samples", 60));
            Path f = dir.resolve(kind + ".json");
            p.write(f);
            AccuracyPredictor back = AccuracyPredictor.read(f);
            assertEquals(p.predict(x[4]), back.predict(x[4]), 1e-12);
            assertEquals(60, ((Number) back.info().get("samples")).intValue());
        }
        String e = assertThrows(IllegalArgumentException.class, () -> AccuracyPredictor.read(dir.resolve("none")))
                .getMessage();
        assertTrue(e.contains("fit-predictor"), e);
    }
}
