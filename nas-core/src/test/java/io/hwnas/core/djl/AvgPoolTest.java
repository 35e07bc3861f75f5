package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import org.junit.jupiter.api.Test;

class AvgPoolTest {

    @Test
    void paddedWindowsAverageOnlyThePixelsInsideTheImage() {
        NetworkBuilder b = new NetworkBuilder(new io.hwnas.core.ir.Shape(1, 4, 4));
        b.avgPool("p", b.input(), 3, 1, 1);
        Network n = b.build();
        Layer l = n.layers().get(1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ones = m.ones(new Shape(1, 1, 4, 4));
            NDArray y = NetworkBlock.avgPoolExcludingPadding(ones, l);
            assertEquals(1f, y.getFloat(0, 0, 0, 0), 1e-6, "corner window has 4 inside pixels, all ones");
            NDArray ramp = m.arange(16f).reshape(1, 1, 4, 4);
            float corner = NetworkBlock.avgPoolExcludingPadding(ramp, l).getFloat(0, 0, 0, 0);
            assertEquals((0 + 1 + 4 + 5) / 4f, corner, 1e-5);
            float centre = NetworkBlock.avgPoolExcludingPadding(ramp, l).getFloat(0, 0, 1, 1);
            assertEquals((0 + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10) / 9f, centre, 1e-5);
        }
    }
}
