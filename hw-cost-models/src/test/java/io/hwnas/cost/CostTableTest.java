package io.hwnas.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.core.space.compress.CompressedSpaces;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.neuromorphic.FiringRates;
import io.hwnas.cost.neuromorphic.NeuromorphicModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The fast path equals {@link CostModel#estimate} on seeded random architectures, per model kind and space. */
class CostTableTest {

    private static final String[] DEVICES = {"raspi4", "xeon-gold-6226", "titan-rtx", "eyeriss", "npu-int8", "loihi2",
        "truenorth", "pixel3", "edge-tpu", "rtx-2080ti"};
    /** Mixed bits and pruning (CompressedSpace): the fast path must agree on compressed networks too. */
    static final Map<String, Object> COMPRESSION = Map.of("bits", List.of(2, 4, 8, 16, 32), "activation_bits",
            List.of(4, 8, 16, 32), "prune", List.of(0, 0.25, 0.5), "binary", true);

    @ParameterizedTest
    @CsvSource({"nb201,, 120, 1", "nb201, prune, 80, 4", "mobilenet,, 60, 1", "mobilenet, search_channels, 40, 8",
        "fbnet,, 40, 2", "mobilenet, compression, 30, 1", "nb201, compression, 30, 2"})
    void fastPathEqualsTheEstimate(String spaceName, String option, int archs, int batch) {
        SearchSpace space = option == null ? SearchSpaces.get(spaceName) : "compression".equals(option)
                ? CompressedSpaces.get(spaceName, Map.of(option, COMPRESSION)) : SearchSpaces.get(spaceName, Map.of(option, true));
        SplittableRandom rng = new SplittableRandom(spaceName.hashCode() + archs);
        List<Architecture> as = new ArrayList<>();
        List<Network> nets = new ArrayList<>();
        for (int i = 0; i < archs; i++) {
            as.add(space.sample(rng));
            nets.add(space.network(as.get(i)));
        }
        for (String name : DEVICES) {
            DeviceProfile d = DeviceCatalog.get(name);
            CostModel m = CostModels.forDevice(d);
            CostTable t = CostTable.of(m, d, batch, space).orElseThrow();
            double[] all = t.estimateAll(as);
            for (int i = 0; i < archs; i++) {
                CostReport r = m.estimate(as.get(i), nets.get(i), d, batch);
                String what = name + " " + as.get(i);
                close(r.latencyMs(), all[i * CostTable.WIDTH + CostTable.LATENCY], what + " latency");
                close(r.energyMj(), all[i * CostTable.WIDTH + CostTable.ENERGY], what + " energy");
                close(r.peakMemoryBytes(), all[i * CostTable.WIDTH + CostTable.MEMORY], what + " memory");
                close(r.modelBytes(), all[i * CostTable.WIDTH + CostTable.MODEL_BYTES], what + " model bytes");
                assertEquals(r.violations().size(), all[i * CostTable.WIDTH + CostTable.VIOLATIONS], what);
            }
            assertTrue(t.compiledRows() <= archs);
        }
    }

    private static void close(double expected, double actual, String what) {
        if (Double.isNaN(expected)) {
            assertTrue(Double.isNaN(actual), what + ": expected NaN, got " + actual);
            return;
        }
        assertEquals(expected, actual, 1e-12 * Math.max(1e-300, Math.abs(expected)), what);
    }

    @Test
    void repeatedEstimatesReuseRowsAndSplitColumns() {
        SearchSpace space = SearchSpaces.get("nb201");
        DeviceProfile d = DeviceCatalog.get("titan-rtx");
        CostTable t = CostTable.of(CostModels.forDevice(d), d, 1, space).orElseThrow();
        Architecture a = space.sample(new SplittableRandom(3));
        double[] lat = new double[3];
        double[] mem = new double[3];
        t.estimateAll(List.of(a, a, a), lat, null, mem);
        assertEquals(1, t.compiledRows());
        assertEquals(lat[0], lat[2]);
        assertEquals(t.value(a, CostTable.MEMORY), mem[1]);
    }

    @Test
    void estimatesOfCompiledRowsAllocateNothing() {
        SearchSpace space = SearchSpaces.get("mobilenet");
        SplittableRandom rng = new SplittableRandom(11);
        List<Architecture> as = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            as.add(space.sample(rng));
        }
        com.sun.management.ThreadMXBean bean =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (String name : new String[] {"raspi4", "loihi2"}) {
            DeviceProfile d = DeviceCatalog.get(name);
            CostTable t = CostTable.of(CostModels.forDevice(d), d, 1, space).orElseThrow();
            double[] out = new double[CostTable.WIDTH];
            for (Architecture a : as) {
                t.estimate(a, out, 0); // compiles the rows
            }
            long before = bean.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < 500; r++) {
                for (int i = 0; i < as.size(); i++) { // indexed: an iterator would be the only allocation
                    t.estimate(as.get(i), out, 0);
                }
            }
            long bytes = bean.getCurrentThreadAllocatedBytes() - before;
            assertTrue(bytes < 2048, name + ": 10,000 estimates allocated " + bytes + " bytes");
        }
    }

    @Test
    void perLayerRatesAndForeignArchitecturesHaveNoFastPath() {
        DeviceProfile loihi = DeviceCatalog.get("loihi2");
        FiringRates rates = new FiringRates(Map.of("stem.conv", 0.2), 0.1, "measured");
        assertTrue(NeuromorphicModel.withRates(rates).fastPath(loihi, 1).isEmpty());
        SearchSpace nb = SearchSpaces.get("nb201");
        CostTable t = CostTable.of(CostModels.forDevice(loihi), loihi, 1, nb).orElseThrow();
        Architecture other = SearchSpaces.get("mobilenet").sample(new SplittableRandom(1));
        assertThrows(IllegalArgumentException.class, () -> t.value(other, CostTable.LATENCY));
        DeviceProfile cpu = DeviceCatalog.get("raspi4");
        assertThrows(IllegalArgumentException.class, () -> CostModels.forDevice(loihi).fastPath(cpu, 1));
    }
}
