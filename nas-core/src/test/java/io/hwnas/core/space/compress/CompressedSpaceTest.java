package io.hwnas.core.space.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.ChannelGroups;
import io.hwnas.core.ir.Compression;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.ArchitectureFormatException;
import io.hwnas.core.space.SearchSpace;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CompressedSpaceTest {

    private static final Map<String, Object> SECTION = Map.of("bits", List.of(4, 8, 16, 32),
            "activation_bits", List.of(8, 32), "prune", List.of(0, 0.25, 0.5), "binary", true);

    /** input 3x8x8; a = conv 3->8; bn; relu; b = conv 8->8; add(relu, b); c = conv 8->4 1x1; pool; fc 4->10. */
    static Network residual() {
        NetworkBuilder b = new NetworkBuilder(new Shape(3, 8, 8));
        int a = b.conv("a", b.input(), 8, 3, 1, 1, 1, false);
        int r = b.relu("relu", b.batchNorm("bn", a));
        int c2 = b.conv("b", r, 8, 3, 1, 1, 1, false);
        int add = b.add("add", List.of(r, c2));
        int c3 = b.conv("c", add, 4, 1, 1, 0, 1, false);
        b.linear("fc", b.globalAvgPool("pool", c3), 10, true);
        return b.build();
    }

    @Test
    void residualChannelsArePrunedTogetherAndTheClassifierNever() {
        assertEquals(List.of(List.of(1, 4), List.of(6)), ChannelGroups.prunable(residual()));
    }

    @Test
    void paramsMacsBytesAndBitOpsFollowByHand() {
        Network base = residual();
        int n = base.layers().size();
        int[] w = new int[n];
        int[] a = new int[n];
        int[] kept = new int[n];
        w[1] = 4;
        a[1] = 8;
        kept[1] = 4;
        kept[4] = 4;
        kept[6] = 2;
        Network net = new Compression(w, a, kept).apply(base);
        // a: 4x3x3x3 = 108 params, 4*64*27 = 6912 MACs; bn 8; b: 4x4x9 = 144, 4*64*36 = 9216 MACs;
        // c: 2x4 = 8, 2*64*4 = 512 MACs; fc: 2*10 + 10 = 30 params and MACs
        assertEquals(108 + 8 + 144 + 8 + 30, net.params());
        assertEquals(6912 + 9216 + 512 + 30, net.macs());
        assertEquals(6912L * 4 * 8 + (9216L + 512 + 30) * 32 * 32, net.bitOps());
        // weights: a at 4 bits (54 bytes), bn at a's 8 activation bits (8 bytes), the rest at 4 bytes each
        assertEquals(54 + 8 + (144 + 8 + 30) * 4, net.modelBytes());
        assertEquals(8, net.layers().get(0).bits());
        assertEquals(4 * 64, net.layer("relu").outputBytes());
        assertEquals(new Shape(2, 1, 1), net.layer("pool").output());
    }

    @Test
    void noCompressionGivesTheSameNetwork() {
        Network base = residual();
        assertEquals(base, Compression.none(base.layers().size()).apply(base));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet", "nb201", "fbnet"})
    void stringsRoundTripAndNetworksBuild(String name) {
        SearchSpace s = CompressedSpaces.get(name, Map.of(CompressedSpace.OPTION, SECTION));
        assertTrue(s instanceof CompressedSpace);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 12; i++) {
            Architecture a = s.sample(random);
            assertEquals(a, s.parse(a.canonical()), a.canonical());
            assertEquals(a, s.decode(a.vectorArray()));
            Network net = s.network(a);
            Network plain = ((CompressedSpace) s).base().network(((CompressedSpace) s).baseArchitecture(a));
            assertTrue(net.macs() <= plain.macs(), a.canonical());
            assertTrue(net.bitOps() <= plain.bitOps(), a.canonical());
        }
    }

    @Test
    void aPlainBaseStringIsTheUncompressedNetwork() {
        CompressedSpace s = (CompressedSpace) CompressedSpaces.get("mobilenet", Map.of(CompressedSpace.OPTION, SECTION));
        Architecture plain = s.base().sample(new SplittableRandom(3));
        Architecture a = s.parse(plain.canonical());
        assertEquals(s.base().network(plain), s.network(a));
        assertTrue(a.canonical().startsWith(plain.canonical() + "#q=32/32,"), a.canonical());
    }

    @Test
    void badSuffixesSayWhat() {
        SearchSpace s = CompressedSpaces.get("mobilenet", Map.of(CompressedSpace.OPTION, SECTION));
        Architecture a = s.sample(new SplittableRandom(1));
        String text = a.canonical().replaceFirst("#q=\\d+/", "#q=3/");
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class, () -> s.parse(text));
        assertTrue(e.getMessage().contains("weight bits '3' is not one of [1, 4, 8, 16, 32]"), e.getMessage());
        assertThrows(ArchitectureFormatException.class, () -> s.parse(a.canonical().replace("#p=", "#p=0,")));
    }

    @Test
    void unknownBitsAndRatiosNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompressionOptions.parse(
                Map.of("bits", List.of(8, 3), "prune", List.of(0, 0.33), "activation_bits", List.of(64))));
        assertTrue(e.getMessage().contains("compression.bits[1] = 3 is not allowed; expected one of [2, 4, 8, 16, 32]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("compression.prune[1] = 0.33 is not allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("compression.activation_bits[0] = 64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CompressionOptions.parse(Map.of("bitz", List.of(8))));
    }

    @Test
    void mutationChangesTheArchitectureAndBadVectorsSayWhere() {
        SearchSpace s = CompressedSpaces.get("mobilenet", Map.of(CompressedSpace.OPTION, SECTION));
        SplittableRandom rng = new SplittableRandom(11);
        Architecture a = s.sample(rng);
        for (int i = 0; i < 30; i++) {
            Architecture b = s.mutate(a, rng);
            assertTrue(!a.equals(b) && s.violations(b).isEmpty(), b.canonical());
            a = b;
        }
        int[] v = a.vectorArray();
        v[v.length - 1] = 999;
        assertEquals(List.of(s.positions().get(v.length - 1) + " = 999 is outside 0..2"), s.violations(v));
        assertEquals(a, s.decode(a.vectorArray()));
    }

    @Test
    void aPruneStepMovesEveryGroupOfTheNetworkOneRatioAndNothingElse() {
        CompressedSpace s = (CompressedSpace) CompressedSpaces.get("mobilenet",
                Map.of(CompressedSpace.OPTION, SECTION));
        Architecture a = s.decode(s.unpruned(s.sample(new SplittableRandom(5)).vectorArray()));
        int groups = s.slots(a).groups().size();
        Architecture up = s.decode(s.prunedStep(a.vectorArray(), 1));
        assertEquals(a.canonical().split("#p=")[0], up.canonical().split("#p=")[0]);
        assertEquals("25,".repeat(groups - 1) + "25", up.canonical().split("#p=")[1]);
        Architecture up2 = s.decode(s.prunedStep(up.vectorArray(), 1));
        assertEquals("50,".repeat(groups - 1) + "50", up2.canonical().split("#p=")[1]);
        // all at the last ratio: +1 turns into -1; all at the first: -1 turns into +1
        assertEquals(up, s.decode(s.prunedStep(up2.vectorArray(), 1)));
        assertEquals(up, s.decode(s.prunedStep(a.vectorArray(), -1)));
        // mixed ratios move together and stop at the ends
        int[] mixed = up.vectorArray();
        int first = s.slots(a).groups().get(0).position();
        mixed[first] = 0;
        mixed[first + 1] = 2;
        int[] down = s.prunedStep(mixed, -1);
        assertEquals(List.of(0, 1, 0), List.of(down[first], down[first + 1], down[first + 2]));
        assertThrows(IllegalArgumentException.class, () -> s.prunedStep(mixed, 0));
        CompressedSpace one = (CompressedSpace) CompressedSpaces.get("mobilenet",
                Map.of(CompressedSpace.OPTION, Map.of("bits", List.of(8), "prune", List.of(0))));
        int[] v = one.sample(new SplittableRandom(5)).vectorArray();
        assertArrayEquals(v, one.prunedStep(v, 1), "one ratio: nothing moves");
    }

    @Test
    void optionsRoundTrip() {
        SearchSpace s = CompressedSpaces.get("nb201", Map.of(CompressedSpace.OPTION, SECTION));
        SearchSpace again = CompressedSpaces.get("nb201", s.options());
        assertEquals(s.options(), again.options());
        assertEquals(List.of(s.choices().length), List.of(again.choices().length));
    }
}
