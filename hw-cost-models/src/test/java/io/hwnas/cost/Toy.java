package io.hwnas.cost;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import java.util.List;

/** Plain conv chains of a given width and depth for property tests. */
public final class Toy {

    private Toy() {
    }

    public static final Architecture ARCH = new Architecture("toy", List.of(0), "toy");

    public static Network chain(int width, int depth, int resolution) {
        NetworkBuilder b = new NetworkBuilder(new Shape(3, resolution, resolution));
        int x = b.conv("stem", b.input(), width, 3, 1, 1, 1, false);
        for (int i = 0; i < depth; i++) {
            x = b.conv("l" + i + ".conv", x, width, 3, 1, 1, 1, false);
            x = b.batchNorm("l" + i + ".bn", x);
            x = b.activation("l" + i + ".relu", LayerKind.RELU, x);
        }
        x = b.globalAvgPool("pool", x);
        b.linear("fc", x, 10, true);
        return b.build();
    }
}
