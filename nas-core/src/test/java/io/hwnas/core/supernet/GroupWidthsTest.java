package io.hwnas.core.supernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressionOptions;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Elastic group widths: the training draws subnets keeping a fraction of each outer (residual-tied) channel group
 * (residuals and hidden channels kept), and those groups pruned with {@link SupernetSpec#orderedChannels} keep the
 * first channels, so the pruned network is the narrower one the supernet trained.
 */
class GroupWidthsTest {

    private static final List<Double> WIDTHS = List.of(1.0, 0.75, 0.5);

    /** A space that does not search channels (as a search config's), width 0.25, at 32 x 32. */
    private static SupernetSpec plain() {
        MobilenetSpace space = (MobilenetSpace) new MobilenetSpace().withOptions(Map.of("resolutions", List.of(32),
                "widths", List.of(0.25)));
        return SupernetSpec.of(space, 3, 10);
    }

    @Test
    void drawsOneListedWidthPerOuterGroupAndNothingWithoutWidths() {
        SupernetSpec off = plain();
        SupernetSpec on = off.withGroupWidths(List.of(0.5, 1.0, 0.75));
        assertEquals(WIDTHS, on.groupWidths(), "sorted, widest first");
        assertFalse(off.elasticGroupWidths());
        assertTrue(on.elasticGroupWidths());
        SplittableRandom r = new SplittableRandom(5);
        assertNull(off.drawGroupWidths(r));
        assertEquals(new SplittableRandom(5).nextLong(), r.nextLong(), "nothing drawn without group widths");
        assertNull(off.narrowestGroupWidths());
        Set<Double> seen = new HashSet<>();
        int fullWidths = 0;
        for (int i = 0; i < 200; i++) {
            double[] drawn = on.drawGroupWidths(r);
            if (drawn == null) {
                fullWidths++;
                continue;
            }
            for (double w : drawn) {
                seen.add(w);
            }
        }
        assertEquals(Set.copyOf(WIDTHS), seen);
        assertTrue(fullWidths > 70 && fullWidths < 130, "about half the draws keep full widths: " + fullWidths);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, on.narrowestGroupWidths());
        assertTrue(on.describe().contains("group widths [1.0, 0.75, 0.5]"), on.describe());
        assertTrue(on.differences(off, "here", "there").contains(
                "group widths [1.0, 0.75, 0.5] here, but [1.0] there"), on.differences(off, "here", "there")
                .toString());
        Network full = on.network(on.largest());
        assertEquals(full, on.network(on.largest(), null));
        Network narrow = on.network(on.largest(), new double[] {0.5, 1, 1, 1, 0.5, 1, 0.75, 1, 0.75});
        assertEquals(4, channels(narrow, "stem.conv"), "8 channels at 0.5");
        assertEquals(8, channels(narrow, "stage2.layer3.project.conv"), "16 channels at 0.5");
        assertEquals(30, channels(narrow, "stage4.layer0.project.conv"), "40 channels at 0.75");
        assertEquals(960, channels(narrow, "head.conv"), "1280 channels at 0.75");
        assertEquals(channels(full, "last.project.conv"), channels(narrow, "last.project.conv"));
        assertEquals(channels(full, "stage2.layer3.expand.conv"), channels(narrow, "stage2.layer3.expand.conv"),
                "hidden channels unchanged");
    }

    private static int channels(Network n, String layer) {
        return n.layers().stream().filter(l -> l.name().equals(layer)).findFirst().orElseThrow().output().channels();
    }

    @Test
    void groupWidthsAreFractionsWithTheFullWidthAmongThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plain().withGroupWidths(List.of(0.75, 0.5)));
        assertTrue(e.getMessage().contains("with 1.0 among them"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> plain().withGroupWidths(List.of(1.0, 0.0)));
        assertThrows(IllegalArgumentException.class, () -> plain().withGroupWidths(List.of(1.5, 1.0)));
    }

    @Test
    void outerGroupsPrunedByHalfAreTheHalfWidthNetworkTheSupernetTrained() {
        SupernetSpec spec = plain().withGroupWidths(WIDTHS);
        for (String conv : List.of("stem.conv", "first.project.conv", "stage2.layer1.project.conv",
                "last.project.conv", "head.conv", "stage2.layer1.expand.conv")) {
            assertTrue(spec.orderedChannels(conv), conv);
        }
        assertFalse(plain().orderedChannels("stage2.layer1.project.conv"), "without group widths: by norm");
        assertFalse(spec.orderedChannels("last.expand.conv"), "the last block's expansion is not elastic");
        Architecture full = spec.largest();
        double[] half = new double[SupernetSpec.OUTER_GROUPS];
        java.util.Arrays.fill(half, 0.5);
        CompressedSpace cs = new CompressedSpace(spec.space(), CompressionOptions.parse(Map.of("bits", List.of(32),
                "activation_bits", List.of(32), "prune", List.of(0, 0.5))));
        Architecture a = cs.parse(full.canonical());
        int[] v = a.vectorArray();
        int outer = 0;
        for (var g : cs.slots(a).groups()) {
            if (!g.layers().get(0).endsWith(".expand.conv")) {
                v[g.position()] = 1;
                outer++;
            }
        }
        assertEquals(8, outer, "stem + first (a residual ties them at width 0.25), five stages, last, head");
        Network pruned = cs.network(cs.decode(v), new io.hwnas.core.ir.Shape(3, 32, 32), 10);
        assertEquals(spec.network(full, half).params(), pruned.params(), "outer groups pruned 50%: trained shapes");
        assertTrue(pruned.layers().stream().anyMatch(l -> l.name().equals("stage2.layer1.add")), "residuals kept");
        double ordered = SupernetFixtures.prunedDifference(spec, full, full, half, pruned,
                spec::orderedChannels);
        double byNorm = SupernetFixtures.prunedDifference(spec, full, full, half, pruned, name -> false);
        assertTrue(ordered < 1e-5, "ordered: " + ordered);
        assertTrue(byNorm > 1e-2, "by norm: " + byNorm);
    }
}
