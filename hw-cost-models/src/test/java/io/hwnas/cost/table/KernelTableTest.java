package io.hwnas.cost.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernel tables: the kernels of a network, one-kernel networks, the fit and malformed table files. */
class KernelTableTest {

    /** x -> conv+bn+relu -> (relu, relu on the same input, avg pool) -> add of three; a linear head. */
    private static Network net() {
        NetworkBuilder b = new NetworkBuilder(new Shape(8, 16, 16));
        int c = b.relu("c.relu", b.batchNorm("c.bn", b.conv("c.conv", b.input(), 8, 3, 1, 1, 1, false)));
        int r1 = b.relu("e1.relu", c);
        int r2 = b.relu("e2.relu", c);
        int p = b.avgPool("e3.pool", c, 3, 1, 1);
        int s = b.add("sum", List.of(r1, r2, b.identity("skip", p)));
        b.linear("fc", b.globalAvgPool("gap", s), 10, true);
        return b.build();
    }

    @Test
    void unitsFuseChainsDropIdentitiesAndRepeatedWeightlessLayers() {
        List<KernelUnits.Unit> units = KernelUnits.of(net());
        List<String> first = new ArrayList<>();
        for (KernelUnits.Unit u : units) {
            first.add(u.layers().get(0).name() + "x" + u.layers().size());
        }
        assertEquals(List.of("c.convx3", "e1.relux1", "e3.poolx1", "sumx1", "gapx1", "fcx1"), first);
        assertTrue(units.get(0).signature().startsWith("conv2d|") && units.get(0).signature().contains(" + relu|"),
                units.get(0).signature());
        assertTrue(KernelUnits.chains(units.get(0)));
        assertFalse(KernelUnits.chains(units.get(4)));
        Network three = KernelUnits.network(units.get(0), 3);
        assertEquals(9 + 1, three.layers().size());
        assertEquals(LayerKind.RELU, three.layers().get(9).kind());
        assertEquals(units.get(0).signature(), KernelUnits.of(KernelUnits.network(units.get(0), 1)).get(0).signature());
        Network sum = KernelUnits.network(units.get(3), 1);
        assertEquals(3, sum.layers().get(1).inputs().size());
        assertThrows(IllegalArgumentException.class, () -> KernelUnits.network(units.get(4), 2));
    }

    @Test
    void fitRecoversAdditiveCoefficients() {
        SplittableRandom r = new SplittableRandom(7);
        List<double[]> f = new ArrayList<>();
        double[] y = new double[20];
        for (int i = 0; i < y.length; i++) {
            double sum = 0.5 + 3 * r.nextDouble();
            double n = 20 + r.nextInt(40);
            f.add(new double[] {sum, n});
            y[i] = 0.25 + 0.8 * sum + 0.004 * n;
        }
        KernelTableFit fit = KernelTableFit.fit(f, y, "synthetic");
        assertEquals(0.25, fit.intercept(), 1e-9);
        assertEquals(0.8, fit.scale(), 1e-9);
        assertEquals(0.004, fit.perKernel(), 1e-9);
        assertEquals(0.25 + 0.8 * 2 + 0.004 * 30, fit.predict(new double[] {2, 30}), 1e-9);
    }

    @Test
    void fitDropsAKernelCountThatDoesNotVary() {
        List<double[]> f = List.of(new double[] {1, 5}, new double[] {2, 5}, new double[] {4, 5}, new double[] {7, 5});
        double[] y = new double[4];
        for (int i = 0; i < 4; i++) {
            y[i] = 0.1 + 1.5 * f.get(i)[0];
        }
        KernelTableFit fit = KernelTableFit.fit(f, y, "constant count");
        assertEquals(0.1, fit.intercept(), 1e-9);
        assertEquals(1.5, fit.scale(), 1e-9);
        assertEquals(0, fit.perKernel());
        assertThrows(IllegalArgumentException.class,
                () -> KernelTableFit.fit(f.subList(0, 3), new double[] {1, 2, 3}, "x"));
        assertThrows(IllegalArgumentException.class, () -> KernelTableFit.fit(f, new double[] {1, 2, 0, 3}, "x"));
    }

    @Test
    void featuresSumTheTableAndNameAMissingKernel() {
        Network n = net();
        Map<String, Double> e = new HashMap<>();
        for (KernelUnits.Unit u : KernelUnits.of(n)) {
            e.put(u.signature(), 0.5);
        }
        double[] f = KernelTableFit.features(new Lut("t", e), n);
        assertEquals(3.0, f[0], 1e-12);
        assertEquals(6, f[1]);
        e.remove(KernelUnits.of(n).get(2).signature());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> KernelTableFit.features(new Lut("t.csv", e), n));
        assertTrue(x.getMessage().contains("t.csv") && x.getMessage().contains("e3.pool"), x.getMessage());
    }

    @Test
    void tableRoundTripsAndAMalformedLineIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k.csv");
        Map<String, Double> e = new HashMap<>();
        for (KernelUnits.Unit u : KernelUnits.of(net())) {
            e.put(u.signature(), 0.125);
        }
        new Lut("t", e).write(file);
        assertEquals(e, Lut.read(file).entries());
        Files.writeString(file, Files.readString(file) + "relu|x,fast\n");
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> Lut.read(file));
        assertTrue(x.getMessage().contains(file.toString()) && x.getMessage().contains("line 8")
                && x.getMessage().contains("relu|x,fast"), x.getMessage());
    }
}
