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

    /**
     * {@link MobilenetSpace#outerGroup} names every group the network ties by residual adds outside the hidden
     * channels, by the layer names {@code network} gives: each group's convolutions share one channel group of the
     * IR, and no other convolution has a group.
     */
    @Test
    void outerGroupsAreTheResidualTiedGroupsOfTheNetworksLayerNames() {
        MobilenetSpace s = new MobilenetSpace();
        Network n = s.network(s.parse(MOBILENET_V2));
        int[] irGroup = io.hwnas.core.ir.ChannelGroups.of(n);
        Map<Integer, java.util.Set<Integer>> irGroupsOf = new java.util.TreeMap<>();
        for (io.hwnas.core.ir.Layer l : n.layers()) {
            int g = MobilenetSpace.outerGroup(l.name());
            if (g >= 0) {
                assertEquals(io.hwnas.core.ir.LayerKind.CONV2D, l.kind(), l.name());
                irGroupsOf.computeIfAbsent(g, k -> new java.util.TreeSet<>()).add(irGroup[l.id()]);
            }
        }
        assertEquals(MobilenetSpace.OUTER_GROUPS, irGroupsOf.size(), irGroupsOf.toString());
        irGroupsOf.forEach((g, ir) -> assertEquals(1, ir.size(), "outer group " + g + " spans IR groups " + ir));
        assertEquals(-1, MobilenetSpace.outerGroup("stage2.layer1.expand.conv"));
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
