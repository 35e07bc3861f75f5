package io.hwnas.core.supernet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.OneThread;
import io.hwnas.core.djl.WeightInheritance;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressionOptions;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
        double ordered = difference(spec, e4, e3, pruned, spec::orderedChannels);
        double byNorm = difference(spec, e4, e3, pruned, name -> false);
        assertTrue(ordered < 1e-5, "ordered: " + ordered);
        assertTrue(byNorm > 1e-2, "by norm: " + byNorm);
    }

    /** max relative difference of the pruned network's logits, inherited from {@code parent}, to {@code target}'s. */
    private static double difference(SupernetSpec spec, Architecture parent, Architecture target, Network pruned,
            Predicate<String> ordered) {
        return OneThread.exclusive(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MobilenetSupernet supernet = MobilenetSupernet.create(spec, m);
                SupernetFixtures.perturb(supernet, 3);
                NetworkBlock child = DjlNetworks.initialized(pruned, m, DataType.FLOAT32, 2);
                WeightInheritance.inherit(supernet.extract(parent, m), child, ordered);
                NDArray x = SupernetFixtures.normal(m, new Shape(2, 3, 32, 32), 7);
                NDArray want = supernet.forward(target, x, false);
                NDArray got = child.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
                return SupernetFixtures.relative(want, got);
            }
        });
    }
}
