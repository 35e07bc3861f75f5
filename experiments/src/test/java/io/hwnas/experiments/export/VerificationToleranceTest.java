package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The float verification's verdict is relative to the output scale. */
class VerificationToleranceTest {

    @Test
    void relativeToTheLargestOutput() {
        // the fbnet network of issue 14 before the channels-last fix: 39,315 on outputs of 76,266
        Verification wrong = new Verification(8, 39315.49, 76266.09, 0.5);
        assertEquals(0.5155, wrong.relativeDiff(), 1e-4);
        assertFalse(wrong.withinTolerance());
        // and after it: 0.094 on outputs of 83,901 (1.1e-6)
        Verification right = new Verification(8, 0.09375, 83901.48, 0.5);
        assertTrue(right.withinTolerance());
        assertFalse(new Verification(8, 2e-4, 1, 0.5).withinTolerance());
        assertTrue(new Verification(8, 0.5e-4, 1, 0.5).withinTolerance());
        assertFalse(new Verification(8, Double.POSITIVE_INFINITY, 1, 0.5).withinTolerance(), "NaN outputs");
    }
}
