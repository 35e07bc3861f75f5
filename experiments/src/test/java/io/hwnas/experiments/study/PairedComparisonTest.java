package io.hwnas.experiments.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The paired statistics of {@code bench netadapt}, against values computed with SciPy's ttest_rel. */
class PairedComparisonTest {

    @Test
    void matchesScipysPairedTTest() {
        // differences 1, 1, 0, 2, 2: mean 1.2, sd sqrt(0.7); scipy.stats.ttest_rel: t = 3.2071349029490923,
        // p = 0.03267792333680301, df = 4
        PairedComparison c = PairedComparison.of(List.of(80.0, 81.0, 79.0, 82.0, 80.0),
                List.of(79.0, 80.0, 79.0, 80.0, 78.0));
        assertEquals(5, c.n());
        assertEquals(1.2, c.meanDifference(), 1e-12);
        assertEquals(Math.sqrt(0.7), c.sdDifference(), 1e-12);
        assertEquals(3.2071349029490923, c.t(), 1e-9);
        assertEquals(0.03267792333680301, c.p(), 1e-9);
        assertTrue(c.significant());
        Map<String, Object> m = c.toMap("a - b");
        assertEquals(4, m.get("df"));
        assertEquals(5, m.get("seeds"));
        assertEquals(true, m.get("significant_at_0.05"));
    }

    @Test
    void pairingMattersAndALargerPIsNotSignificant() {
        // the same two samples in another pairing: scipy gives t = 1.7865817913502386, p = 0.1340537809596724
        PairedComparison c = PairedComparison.of(List.of(80.55, 79.5, 81.6, 80.6, 78.95, 82.1),
                List.of(79.4, 78.6, 80.9, 80.85, 78.75, 77.9));
        assertEquals(1.7865817913502386, c.t(), 1e-9);
        assertEquals(0.1340537809596724, c.p(), 1e-9);
        assertFalse(c.significant());
        // a negative difference gives a negative t and the same two-sided p
        PairedComparison r = PairedComparison.of(List.of(79.4, 78.6, 80.9, 80.85, 78.75, 77.9),
                List.of(80.55, 79.5, 81.6, 80.6, 78.95, 82.1));
        assertEquals(-c.t(), r.t(), 1e-12);
        assertEquals(c.p(), r.p(), 1e-12);
    }

    @Test
    void oneSeedOrNoSpreadLeavesTAndPUndefined() {
        PairedComparison one = PairedComparison.of(List.of(80.0), List.of(79.0));
        assertTrue(Double.isNaN(one.p()));
        assertNull(one.toMap("a - b").get("p_value"));
        assertFalse(one.significant());
        PairedComparison flat = PairedComparison.of(List.of(80.0, 81.0), List.of(79.0, 80.0));
        assertEquals(0, flat.sdDifference());
        assertNull(flat.toMap("a - b").get("t"));
        assertThrows(IllegalArgumentException.class, () -> PairedComparison.of(List.of(1.0), List.of(1.0, 2.0)));
    }
}
