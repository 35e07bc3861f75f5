package io.hwnas.core.supernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressionOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pruning a supernet subnet's hidden channels with {@link SupernetSpec#orderedChannels} keeps the first ones: a block
 * of expansion 4 pruned 25% is then the expansion-3 block the supernet trained, weights and outputs alike, where the
 * largest-norm rule picks other channels and computes something else.
 */
class OrderedPruningTest {

    @Test
    void aPrunedExpansionIsTheNarrowerSubnetTheSupernetTrained() {
        SupernetSpec spec = SupernetFixtures.spec();
        assertTrue(spec.orderedChannels("stage1.layer0.expand.conv"));
        assertFalse(spec.orderedChannels("last.expand.conv"), "the last block's expansion is not elastic");
        assertFalse(spec.orderedChannels("stage1.layer0.project.conv"));
        assertFalse(spec.withElastic(List.of(3, 5, 7), List.of(6)).orderedChannels("stage1.layer0.expand.conv"),
                "one expansion: nothing is ordered");
        String[] parts = spec.largest().canonical().split("\\|");
        parts[2] = parts[2].replaceFirst("e6", "e4");
        Architecture e4 = spec.space().parse(String.join("|", parts));
        parts[2] = parts[2].replaceFirst("e4", "e3");
        Architecture e3 = spec.space().parse(String.join("|", parts));
        CompressedSpace cs = new CompressedSpace(spec.space(), CompressionOptions.parse(Map.of("bits", List.of(32),
                "activation_bits", List.of(32), "prune", List.of(0, 0.25))));
        Architecture a = cs.parse(e4.canonical());
        int[] v = a.vectorArray();
        v[cs.slots(a).groups().stream().filter(g -> g.layers().get(0).equals("stage1.layer0.expand.conv"))
                .findFirst().orElseThrow().position()] = 1;
        Network pruned = cs.network(cs.decode(v), new io.hwnas.core.ir.Shape(3, 32, 32), 10);
        assertEquals(spec.network(e3).params(), pruned.params(), "e4 pruned 25% has e3's shapes");
        double ordered = SupernetFixtures.prunedDifference(spec, e4, e3, null, pruned, spec::orderedChannels);
        double byNorm = SupernetFixtures.prunedDifference(spec, e4, e3, null, pruned, name -> false);
        assertTrue(ordered < 1e-5, "ordered: " + ordered);
        assertTrue(byNorm > 1e-2, "by norm: " + byNorm);
    }
}
