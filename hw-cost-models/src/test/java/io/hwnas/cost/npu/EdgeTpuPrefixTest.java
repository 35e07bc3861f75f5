package io.hwnas.cost.npu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.CostTable;
import io.hwnas.cost.FastPath;
import io.hwnas.cost.LayerCost;
import io.hwnas.cost.Toy;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Edge TPU compiler maps only the graph before the first op it cannot run; that op and every one
 * after it run on the host CPU ({@code partition: prefix}). Other NPUs send only the unsupported kernels.
 */
class EdgeTpuPrefixTest {

    private static final DeviceProfile TPU = DeviceCatalog.get("edge-tpu");
    private static final DeviceProfile PER_KERNEL = TPU.withSetting("partition", "kernels");
    private static final CostModel MODEL = CostModels.forDevice(TPU);

    /** Six conv + batch norm + activation blocks of one width; block {@code hswishAt} uses hswish (-1: none). */
    static Network chain(int hswishAt) {
        NetworkBuilder b = new NetworkBuilder(new Shape(3, 16, 16));
        int x = b.conv("stem", b.input(), 16, 3, 1, 1, 1, false);
        for (int i = 0; i < 6; i++) {
            x = b.conv("l" + i + ".conv", x, 16, 3, 1, 1, 1, false);
            x = b.batchNorm("l" + i + ".bn", x);
            x = b.activation("l" + i + ".act", i == hswishAt ? LayerKind.HSWISH : LayerKind.RELU, x);
        }
        x = b.globalAvgPool("pool", x);
        b.linear("fc", x, 10, true);
        return b.build();
    }

    private static CostReport cost(Network n, DeviceProfile d) {
        return MODEL.estimate(Toy.ARCH, n, d, 1);
    }

    @Test
    void everyKernelFromTheFirstUnsupportedOpOnRunsOnTheHost() {
        CostReport early = cost(chain(0), TPU);
        List<LayerCost> layers = early.layers();
        int cut = indexOf(layers, "l0.act");
        for (int i = 0; i < layers.size(); i++) {
            String where = layers.get(i).placement();
            if (i < cut) {
                assertEquals("", where, layers.get(i).name());
            } else if (i == cut) {
                assertEquals("host: hswish is not supported by edge-tpu", where);
            } else {
                assertTrue(where.startsWith("host: after l0.act (hswish), the first op edge-tpu cannot run"),
                        layers.get(i).name() + ": " + where);
            }
        }
        assertTrue(early.feasible(), early.violations().toString());
        CostReport perKernel = cost(chain(0), PER_KERNEL);
        long host = perKernel.layers().stream().filter(l -> !l.placement().isEmpty()).count();
        assertEquals(1, host, "without the prefix rule only the hswish runs on the host");
        assertTrue(early.latencyMs() > perKernel.latencyMs(), early.latencyMs() + " vs " + perKernel.latencyMs());
    }

    @Test
    void anEarlyUnsupportedOpCostsMoreThanALateOne() {
        double early = cost(chain(0), TPU).latencyMs();
        double late = cost(chain(5), TPU).latencyMs();
        double none = cost(chain(-1), TPU).latencyMs();
        assertTrue(early > late && late > none, early + " > " + late + " > " + none);
        // Per kernel, the one hswish costs the same wherever it is: the blocks have equal shapes.
        assertEquals(cost(chain(0), PER_KERNEL).latencyMs(), cost(chain(5), PER_KERNEL).latencyMs(), 1e-12);
        // Host time of the suffix: each kernel after the cut costs its host time, not its array time.
        CostReport tpuEarly = cost(chain(0), TPU);
        CostReport kernelsEarly = cost(chain(0), PER_KERNEL);
        int conv = indexOf(tpuEarly.layers(), "l3.conv");
        assertTrue(tpuEarly.layers().get(conv).timeMs() > kernelsEarly.layers().get(conv).timeMs());
        assertEquals(kernelsEarly.layers().get(indexOf(kernelsEarly.layers(), "l0.conv")).timeMs(),
                tpuEarly.layers().get(indexOf(tpuEarly.layers(), "l0.conv")).timeMs(), 0, "the prefix stays on the array");
    }

    @Test
    void aNetworkTheEdgeTpuRunsWholeIsCostedAsBefore() {
        CostReport prefix = cost(chain(-1), TPU);
        CostReport kernels = cost(chain(-1), PER_KERNEL);
        assertEquals(kernels.latencyMs(), prefix.latencyMs(), 0);
        assertEquals(kernels.energyMj(), prefix.energyMj(), 0);
        assertTrue(prefix.layers().stream().allMatch(l -> l.placement().isEmpty()));
    }

    @Test
    void theFastPathAppliesTheSameCut() {
        FastPath fast = MODEL.fastPath(TPU, 1).orElseThrow();
        for (int at : new int[] {-1, 0, 3, 5}) {
            Network n = chain(at);
            double[] out = new double[CostTable.WIDTH];
            fast.cost(fast.compile(n), out, 0);
            CostReport r = cost(n, TPU);
            assertEquals(r.latencyMs(), out[CostTable.LATENCY], 1e-12 * r.latencyMs(), "hswish at " + at);
            assertEquals(r.energyMj(), out[CostTable.ENERGY], 1e-12 * r.energyMj(), "hswish at " + at);
        }
    }

    @Test
    void anUnknownPartitionIsRefusedNamingTheSetting() {
        List<String> problems = MODEL.check(TPU.withSetting("partition", "suffix"), "toy", 1);
        assertFalse(problems.isEmpty());
        assertTrue(problems.get(0).contains("setting partition = 'suffix' is not allowed; expected one of "
                + "[kernels, prefix]"), problems.get(0));
    }

    private static int indexOf(List<LayerCost> layers, String name) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError(name + " not in " + layers.stream().map(LayerCost::name).toList());
    }
}
