package io.hwnas.core.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Percentile calibration is the nearest-rank order statistic, averaged over batches. */
class PercentileRangeTest {

    /** The integers -500..499 in a seeded random order. */
    private static float[] shuffled(long seed) {
        int[] order = io.hwnas.core.data.ImageDataset.permutation(1000, seed);
        float[] v = new float[order.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = order[i] - 500;
        }
        return v;
    }

    @Test
    void theRangeIsTheNearestRankOrderStatistic() {
        // 99th percentile of 1,000 values: the 990th smallest (ceil(0.99 * 1000)), -500 + 989 = 489;
        // 1st percentile: the 10th smallest, -491.
        ActivationRange r = PercentileRange.of(shuffled(1), 99);
        assertEquals(-491, r.lo());
        assertEquals(489, r.hi());
        // 99.95th: ceil(999.5) = 1000th, the maximum 499; 0.05th: ceil(0.5) = 1st, the minimum -500.
        ActivationRange top = PercentileRange.of(shuffled(2), 99.95);
        assertEquals(-500, top.lo());
        assertEquals(499, top.hi());
        ActivationRange all = PercentileRange.of(shuffled(3), 100);
        assertEquals(new ActivationRange(-500, 499), all);
        // One outlier of 1e6 among 1,000 values moves min/max, not the 99th percentile.
        float[] v = shuffled(4);
        v[17] = 1e6f;
        assertEquals(1e6, PercentileRange.of(v, 100).hi());
        assertTrue(PercentileRange.of(v, 99).hi() < 500, "the outlier is clipped");
    }

    @Test
    void overSeveralBatchesTheRangeIsTheMeanOfTheBatchRanges() {
        PercentileRange p = new PercentileRange();
        float[] a = shuffled(5);
        float[] b = shuffled(6);
        for (int i = 0; i < b.length; i++) {
            b[i] *= 2; // 99th: 978, 1st: -982
        }
        p.add(a, 99);
        ActivationRange r = p.add(b, 99);
        assertEquals((489 + 978) / 2.0, r.hi(), 1e-9);
        assertEquals((-491 - 982) / 2.0, r.lo(), 1e-9);
        // A non-negative input (after a ReLU) keeps 0 as its lower end.
        float[] relu = new float[100];
        for (int i = 0; i < relu.length; i++) {
            relu[i] = i;
        }
        assertEquals(0, PercentileRange.of(relu, 99).lo());
        assertEquals(98, PercentileRange.of(relu, 99).hi());
    }

    @Test
    void percentilesOutsideTheAllowedRangeAreRefusedNamingTheValue() {
        for (double bad : new double[] {50, 10, 100.5, Double.NaN}) {
            String m = assertThrows(IllegalArgumentException.class, () -> PercentileRange.of(shuffled(1), bad))
                    .getMessage();
            assertTrue(m.contains("percentile = " + bad) && m.contains("above 50 and at most 100"), m);
        }
    }
}
