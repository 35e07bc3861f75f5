package io.hwnas.core.pareto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParetoTest {

    @Test
    void dominanceNeedsOneStrictlyBetterObjective() {
        assertTrue(Pareto.dominates(new double[] {1, 2}, new double[] {1, 3}));
        assertFalse(Pareto.dominates(new double[] {1, 2}, new double[] {1, 2}));
        assertFalse(Pareto.dominates(new double[] {0, 3}, new double[] {1, 2}));
    }

    @Test
    void sortsIntoFronts() {
        double[][] p = {{1, 5}, {2, 2}, {5, 1}, {3, 3}, {4, 4}, {2, 2}, {6, 6}};
        List<int[]> fronts = Pareto.fronts(p);
        assertArrayEquals(new int[] {0, 1, 2, 5}, fronts.get(0));
        assertArrayEquals(new int[] {3}, fronts.get(1));
        assertArrayEquals(new int[] {4}, fronts.get(2));
        assertArrayEquals(new int[] {6}, fronts.get(3));
        assertArrayEquals(new int[] {0, 0, 0, 1, 2, 0, 3}, Pareto.ranks(p));
    }

    @Test
    void twoObjectiveShortcutAgreesWithFullSort() {
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 20; t++) {
            double[][] p = new double[200][];
            for (int i = 0; i < p.length; i++) {
                p[i] = new double[] {r.nextInt(30), r.nextInt(30)};
            }
            assertArrayEquals(Pareto.fronts(p).get(0), Pareto.nonDominated(p));
        }
    }

    @Test
    void crowdingIsInfiniteAtTheEndsAndSumsNormalisedGaps() {
        double[][] front = {{0, 4}, {1, 2}, {2, 1}, {4, 0}};
        double[] d = Pareto.crowding(front);
        assertEquals(Double.POSITIVE_INFINITY, d[0]);
        assertEquals(Double.POSITIVE_INFINITY, d[3]);
        assertEquals(2.0 / 4 + 3.0 / 4, d[1], 1e-12);
        assertEquals(3.0 / 4 + 2.0 / 4, d[2], 1e-12);
    }
}
