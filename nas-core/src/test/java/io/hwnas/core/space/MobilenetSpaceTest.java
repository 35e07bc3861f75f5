package io.hwnas.core.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MobilenetSpaceTest extends SearchSpaceContract {

    /** MobileNetV2's blocks: 2/3/4/3/3 layers of k3 e6 without SE, width 1.0, 224 x 224. */
    static final String MOBILENET_V2 =
            "r224-w1.0|k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6";

    @Override
    protected SearchSpace space() {
        return new MobilenetSpace();
    }

    @Test
    void mobilenetV2ChoicesGiveItsPublishedSize() {
        MobilenetSpace s = new MobilenetSpace();
        Network n = s.network(s.parse(MOBILENET_V2));
        assertEquals(3.5e6, n.params(), 0.05e6);
        assertEquals(300e6, n.macs(), 6e6);
        assertEquals(224, n.inputShape().height());
    }

    @Test
    void channelScalesShrinkOneLayerAndDropItsResidual() {
        MobilenetSpace s = new MobilenetSpace();
        Architecture full = s.parse(MOBILENET_V2);
        Architecture thin = s.withChannelScale(full, 2, 1, 4);
        assertTrue(thin.canonical().contains("k3e6@0.5"), thin.canonical());
        assertEquals(thin, s.parse(thin.canonical()));
        Network a = s.network(full);
        Network b = s.network(thin);
        assertEquals(32, b.layer("stage2.layer1.project.conv").output().channels());
        assertTrue(b.macs() < a.macs() && b.params() < a.params());
    }

    @Test
    void channelsAreSearchedOnlyWhenAskedAndInactiveLayersAreNormalised() {
        MobilenetSpace s = new MobilenetSpace();
        assertEquals(1, s.choices()[MobilenetSpace.position(0, 0, 3)]);
        SearchSpace wide = s.withOptions(Map.of("search_channels", true));
        assertEquals(7, wide.choices()[MobilenetSpace.position(0, 0, 3)]);
        int[] v = s.encode(s.parse(MOBILENET_V2));
        v[MobilenetSpace.position(0, 3, 0)] = 2; // stage 0 has depth 2: layer 3 is inactive
        assertEquals(s.parse(MOBILENET_V2), s.decode(v));
    }

    @Test
    void smallInputOptionsBuildForFashionMnistSizes() {
        SearchSpace s = new MobilenetSpace().withOptions(Map.of("resolutions", java.util.List.of(32),
                "stem_stride", 1, "widths", java.util.List.of(0.5, 1.0)));
        Network n = s.network(s.sample(new SplittableRandom(1)), new io.hwnas.core.ir.Shape(1, 28, 28), 10);
        assertEquals(32, n.inputShape().height());
        assertEquals(1, n.inputShape().channels());
        assertEquals(10, n.outputShape().channels());
    }
}
