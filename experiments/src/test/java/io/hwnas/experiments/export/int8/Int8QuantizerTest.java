package io.hwnas.experiments.export.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The int8 quantiser's activation ranges, weight scales and options (see QuantizedNetworkTest for whole networks). */
class Int8QuantizerTest {

    @Test
    void percentileRangeIgnoresARareOutlierThatMinMaxKeeps() {
        float[] v = new float[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 1000 / 1000f; // uniform on [0, 1)
        }
        v[1234] = 100f;
        ActivationRange minMax = ActivationRange.of(0, 100f);
        ActivationRange p = ActivationRange.percentile(v, 99.99);
        assertEquals(0, p.zeroPoint());
        assertTrue(p.max() > 0.99f && p.max() < 1.01f, "percentile range max " + p.max());
        float[] inliers = java.util.Arrays.copyOf(v, 1000);
        assertTrue(p.error(inliers) < minMax.error(inliers) / 100);
        ActivationRange signed = ActivationRange.percentile(new float[] {-2f, -1f, 0f, 1f, 2f}, 100);
        assertEquals(-2f, signed.min(), 0.02f);
        assertEquals(2f, signed.max(), 0.02f);
    }

    @Test
    void mseRangeIsNoWorseThanMinMaxAndClipsAHeavyTail() {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[50_000];
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * (i % 500 == 0 ? 20 : 1));
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
        }
        ActivationRange mse = ActivationRange.leastError(v, min, max);
        double eMse = mse.error(v);
        assertTrue(eMse <= ActivationRange.of(min, max).error(v));
        assertTrue(mse.max() - mse.min() < max - min, "mse range " + mse + " vs [" + min + ", " + max + "]");
    }

    @Test
    void weightScalesArePerChannelMaxAbsAndWidenWhereTheBiasWouldOverflowInt32() {
        float[] w = {0.5f, -1.27f, 0.1f, 1e-9f, -2e-9f, 0f};
        float[] bias = {0.3f, 50f};
        float[] s = WeightQuantization.weightScales(w, 2, bias, 1e-3f);
        assertEquals(0.01f, s[0], 1e-7f);
        // channel 1: max |w| / 127 would put the bias at 50 / (1e-3 * 1.6e-11) >> 2^31
        float[] bs = new float[2];
        int[] bq = WeightQuantization.quantizeBias(bias, 1e-3f, s, bs);
        assertTrue(Math.abs(bq[1]) < Integer.MAX_VALUE);
        assertEquals(50f, bq[1] * bs[1], 1e-3f);
        assertEquals(0.3f, bq[0] * bs[0], 1e-5f);
        byte[] q = WeightQuantization.quantizePerChannelWith(w, 2, s);
        assertEquals(-127, q[1]);
        assertEquals(50, q[0]);
        assertEquals(0, q[4]); // a weight far below the widened scale rounds to zero
        assertThrows(IllegalArgumentException.class,
                () -> Int8Options.builder().method(RangeMethod.PERCENTILE).percentile(40).build());
        assertThrows(IllegalArgumentException.class, () -> RangeMethod.parse("entropy"));
    }
}
