package io.hwnas.core.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.nb201.Nb201Space;
import io.hwnas.core.table.BenchmarkTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Nb201SpaceTest extends SearchSpaceContract {

    static final String RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|";

    @Override
    protected SearchSpace space() {
        return new Nb201Space();
    }

    record Row(int index, String arch, long params, double flopsM) {
    }

    static List<Row> table() {
        BenchmarkTable t = BenchmarkTable.shipped(BenchmarkTable.NB201_ACCURACY);
        int ii = t.column("arch_index");
        int ai = t.column("arch_str");
        int pi = t.column("cifar10_params_M");
        int fi = t.column("cifar10_flops_M");
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < t.size(); r++) {
            rows.add(new Row(Integer.parseInt(t.text(r, ii)), t.text(r, ai), Math.round(t.number(r, pi) * 1e6),
                    t.number(r, fi)));
        }
        return rows;
    }

    @Test
    void indexAndStringAgreeWithTheTableForAllCells() throws Exception {
        Nb201Space s = new Nb201Space();
        List<Row> rows = table();
        assertEquals(15625, rows.size());
        for (Row row : rows) {
            Architecture a = s.parse(row.arch());
            assertEquals(row.arch(), a.canonical());
            assertEquals(row.index(), s.index(a));
            assertEquals(a, s.parse(Integer.toString(row.index())));
        }
    }

    @Test
    void paramsAndMacsMatchThePublishedTableOn500SeededCells() throws Exception {
        Nb201Space s = new Nb201Space();
        List<Row> rows = table();
        SplittableRandom rng = new SplittableRandom(2024);
        for (int i = 0; i < 500; i++) {
            Row row = rows.get(rng.nextInt(rows.size()));
            Network n = s.network(s.parse(row.arch()));
            assertEquals(row.params(), n.declaredParams(), row.arch());
            double macsM = n.macs() / 1e6;
            assertEquals(row.flopsM(), macsM, row.flopsM() * 0.01, row.arch());
        }
    }

    @Test
    void resnetCellHasThePublishedCounts() {
        Network n = new Nb201Space().network(new Nb201Space().parse(RESNET));
        assertEquals(559386, n.params());
        assertEquals(78.56193, n.macs() / 1e6, 0.7856);
    }

    @Test
    void referenceSemanticsRunEveryEdgeAndPruningDropsDeadOnes() {
        Architecture a = new Nb201Space().parse(RESNET);
        Network ref = new Nb201Space().network(a);
        SearchSpace pruned = new Nb201Space().withOptions(Map.of("prune", true));
        Network p = pruned.network(a);
        assertEquals(15, ref.layers().stream().filter(l -> l.kind() == LayerKind.ZERO).count() / 2);
        assertEquals(0, p.layers().stream().filter(l -> l.kind() == LayerKind.ZERO).count());
        assertEquals(ref.params(), p.params(), "the ResNet cell has no dead convolution");
        assertEquals(ref.params(), p.declaredParams());

        // edge 0->1 conv feeds only node 1, which reaches the output through 1->3 = none and 1->2 = none
        Architecture dead = new Nb201Space().parse(
                "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|skip_connect~2|");
        Network d = pruned.network(dead);
        Network dr = new Nb201Space().network(dead);
        assertTrue(d.params() < dr.params());
        assertEquals(dr.params(), d.declaredParams());
        assertTrue(d.macs() < dr.macs());
    }

    @Test
    void aCellCutOffFromItsInputOutputsZerosWhenPruned() {
        SearchSpace pruned = new Nb201Space().withOptions(Map.of("prune", true));
        Architecture cut = pruned.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|");
        Network n = pruned.network(cut);
        assertEquals(15, n.layers().stream().filter(l -> l.kind() == LayerKind.ZERO).count());
        assertEquals(0, n.layers().stream().filter(l -> l.name().contains(".cell") && l.kind() == LayerKind.CONV2D)
                .count());
    }

    @Test
    void parseErrorsSayWhere() {
        Nb201Space s = new Nb201Space();
        ArchitectureFormatException e = assertThrows(ArchitectureFormatException.class,
                () -> s.parse("|nor_conv_3x3~0|+|none~0|conv_5x5~1|+|skip_connect~0|none~1|skip_connect~2|"));
        assertEquals(25, e.position());
        assertTrue(e.getMessage().contains("conv_5x5"), e.getMessage());
        assertThrows(ArchitectureFormatException.class, () -> s.parse("15625"));
        assertThrows(ArchitectureFormatException.class,
                () -> s.parse("|nor_conv_3x3~1|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"));
    }

    @Test
    void unknownOptionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Nb201Space().withOptions(Map.of("prun", true)));
        assertTrue(e.getMessage().contains("prun") && e.getMessage().contains("prune"), e.getMessage());
    }
}
