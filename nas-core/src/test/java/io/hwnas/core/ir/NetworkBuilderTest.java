package io.hwnas.core.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkBuilderTest {

    @Test
    void convolutionShapesParamsAndMacsFollowTheTextbookFormulas() {
        NetworkBuilder b = new NetworkBuilder(new Shape(8, 32, 32));
        int c = b.conv("c", b.input(), 16, 3, 2, 1, 1, false);
        Layer l = b.build().layers().get(c);
        assertEquals(new Shape(16, 16, 16), l.output());
        assertEquals(16 * 8 * 9, l.params());
        assertEquals(16L * 16 * 16 * 8 * 9, l.macs());
        int dw = b.conv("dw", c, 16, 5, 1, 2, 16, true);
        Layer d = b.build().layers().get(dw);
        assertTrue(d.isDepthwise());
        assertEquals(16 * 25 + 16, d.params());
        assertEquals(16L * 16 * 16 * 25 + 16 * 16 * 16, d.macs());
    }

    @Test
    void squeezeExciteAndLinearCountTheirWeightsAndBiases() {
        NetworkBuilder b = new NetworkBuilder(new Shape(32, 7, 7));
        int se = b.squeezeExcite("se", b.input(), 8);
        int g = b.globalAvgPool("gap", se);
        int fc = b.linear("fc", g, 10, true);
        Network n = b.build();
        assertEquals(32 * 8 + 8 + 8 * 32 + 32, n.layers().get(se).params());
        assertEquals(32 * 10 + 10, n.layers().get(fc).params());
        assertEquals(new Shape(10, 1, 1), n.outputShape());
    }

    @Test
    void peakMemoryKeepsTensorsAliveUntilTheirLastReader() {
        // input (4 KB) feeds a branch and the final add: both stay alive while the branch runs
        NetworkBuilder b = new NetworkBuilder(new Shape(1, 32, 32));
        int a = b.relu("a", b.input());
        int c = b.relu("c", a);
        b.add("sum", List.of(b.input(), c));
        Network n = b.build();
        long t = 32 * 32 * 4;
        // while c runs: input, a, c are live; then a is freed; at sum: input, c, sum
        assertEquals(3 * t, n.peakActivationBytes());
        assertEquals(0, n.params());
    }

    @Test
    void badGeometryIsRejectedWithTheLayerName() {
        NetworkBuilder b = new NetworkBuilder(new Shape(6, 4, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.conv("g", b.input(), 8, 3, 1, 1, 4, false));
        assertTrue(e.getMessage().contains("layer g"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.conv("k", b.input(), 8, 7, 1, 0, 1, false));
        int x = b.conv("ok", b.input(), 6, 1, 1, 0, 1, false);
        NetworkBuilder other = new NetworkBuilder(new Shape(6, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> b.add("mismatch", List.of(x, b.avgPool("p", x, 2, 2, 0))));
        assertEquals(1, other.build().layers().size());
    }

    @Test
    void quantisedCopiesShrinkModelBytes() {
        NetworkBuilder b = new NetworkBuilder(new Shape(3, 8, 8));
        b.conv("c", b.input(), 8, 3, 1, 1, 1, false);
        Network n = b.build();
        assertEquals(n.params() * 4, n.modelBytes());
        assertEquals(n.params(), n.withBits(8).modelBytes());
        assertEquals(n.params() / 2, n.withBits(4).modelBytes());
    }
}
