package io.hwnas.core.pareto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HypervolumeTest {

    @Test
    void twoObjectivesStaircase() {
        double[][] p = {{0.2, 0.6}, {0.5, 0.3}, {0.6, 0.6}, {1.2, 0.0}};
        // 0.8 x 0.4 + 0.5 x 0.3; the third point is dominated, the fourth lies beyond the reference
        assertEquals(0.8 * 0.4 + 0.5 * 0.3, Hypervolume.of(p, new double[] {1, 1}), 1e-12);
        assertEquals(0, Hypervolume.of(new double[0][], new double[] {1, 1}));
    }

    @Test
    void threeObjectivesMatchAGridCount() {
        SplittableRandom r = new SplittableRandom(7);
        double[][] p = new double[12][];
        for (int i = 0; i < p.length; i++) {
            p[i] = new double[] {r.nextInt(10) / 10.0, r.nextInt(10) / 10.0, r.nextInt(10) / 10.0};
        }
        double[] ref = {1, 1, 1};
        int n = 40; // grid cell centres; the coordinates are multiples of 0.1, so the count is exact
        int hits = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                for (int c = 0; c < n; c++) {
                    double[] x = {(a + 0.5) / n, (b + 0.5) / n, (c + 0.5) / n};
                    for (double[] q : p) {
                        if (q[0] <= x[0] && q[1] <= x[1] && q[2] <= x[2]) {
                            hits++;
                            break;
                        }
                    }
                }
            }
        }
        assertEquals((double) hits / (n * n * n), Hypervolume.of(p, ref), 1e-12);
    }

    @Test
    void monteCarloBeyondThreeObjectivesIsClose() {
        double[][] p = {{0.5, 0.5, 0.5, 0.5}, {0.0, 0.8, 0.8, 0.8}};
        double exact = Math.pow(0.5, 4) + 0.2 * 0.2 * 0.2 * 1.0 - 0.2 * 0.2 * 0.2 * 0.5;
        assertEquals(exact, Hypervolume.of(p, new double[] {1, 1, 1, 1}), 0.003);
    }

    @Test
    void gapIsZeroForTheFrontAndGrowsWithMissingPoints() {
        double[][] front = {{0, 0.5}, {0.5, 0}};
        double[] ref = {1, 1};
        assertEquals(0, Hypervolume.gap(front, front, ref), 1e-12);
        assertEquals(1 - 0.5 / 0.75, Hypervolume.gap(new double[][] {{0, 0.5}}, front, ref), 1e-12);
        assertEquals(1, Hypervolume.gap(new double[0][], front, ref), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Hypervolume.gap(front, new double[][] {{1, 1}}, ref));
    }

    @Test
    void scalerMapsBoundsToZeroAndOne() {
        MinMaxScaler s = MinMaxScaler.fit(new double[][] {{10, 2}, {20, 4}, {15, 3}});
        assertEquals(0.5, s.scale(new double[] {15, 3})[0], 1e-12);
        assertEquals(1.0, s.scale(new double[] {15, 4})[1], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> MinMaxScaler.fit(new double[][] {{1, 1}, {1, 2}}));
    }
}
