package io.hwnas.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressedSpaces;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bit-aware costs: fewer bits or fewer channels never cost more, on every model kind. */
class CompressionCostTest {

    private static final String[] DEVICES = {"raspi4", "pixel3", "xeon-gold-6240", "rtx-2080ti", "jetson-tx2",
        "npu-int8", "edge-tpu", "eyeriss", "loihi2"};
    /**
     * Widths every device runs natively. Left out: 32 (on an NPU a float layer is quantised to the device
     * precision) and 16 (on the int8-only Edge TPU a 16-bit kernel runs on the host, which for a single
     * small kernel can be faster than the array; the Edge TPU test below
     * checks the whole network).
     */
    private static final Map<String, Object> SECTION = Map.of("bits", List.of(2, 4, 8), "activation_bits",
            List.of(4, 8), "prune", List.of(0, 0.25, 0.5), "binary", true);

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet", "nb201"})
    void fewerBitsOrChannelsNeverCostMore(String spaceName) {
        CompressedSpace space = (CompressedSpace) CompressedSpaces.get(spaceName, Map.of("compression", SECTION));
        int baseLength = space.base().choices().length;
        int[] c = space.choices();
        SplittableRandom rng = new SplittableRandom(spaceName.hashCode());
        for (int trial = 0; trial < 60; trial++) {
            Architecture a = space.sample(rng);
            int[] v = a.vectorArray();
            int pos = baseLength + rng.nextInt(c.length - baseLength);
            boolean prune = space.positions().get(pos).endsWith(".prune");
            if (prune ? v[pos] == c[pos] - 1 : v[pos] == 0) {
                continue;
            }
            v[pos] += prune ? 1 : -1;
            Architecture smaller = space.decode(v);
            if (smaller.equals(a)) {
                continue; // an inactive slot
            }
            compare(a, space.network(a), smaller, space.network(smaller));
        }
    }

    private static void compare(Architecture a, Network big, Architecture b, Network small) {
        String what = a + " -> " + b;
        assertTrue(small.modelBytes() <= big.modelBytes() && small.bitOps() <= big.bitOps(), what);
        for (String name : DEVICES) {
            DeviceProfile d = DeviceCatalog.get(name);
            CostModel m = CostModels.forDevice(d);
            CostReport r1 = m.estimate(a, big, d, 1);
            CostReport r2 = m.estimate(b, small, d, 1);
            String w = name + ": " + what;
            assertTrue(r2.latencyMs() <= r1.latencyMs() * (1 + 1e-9), w + " latency " + r1.latencyMs() + " -> "
                    + r2.latencyMs());
            assertTrue(!(r2.energyMj() > r1.energyMj() * (1 + 1e-9)), w + " energy " + r1.energyMj() + " -> "
                    + r2.energyMj());
            assertTrue(r2.modelBytes() <= r1.modelBytes(), w + " model bytes");
        }
    }

    @Test
    void int8KernelsRunFasterAndCheaperThanFloatWhereTheProfileSaysSo() {
        CompressedSpace space = (CompressedSpace) CompressedSpaces.get("mobilenet", Map.of("compression",
                Map.of("bits", List.of(8, 32), "activation_bits", List.of(8, 32))));
        Architecture base = space.base().sample(new SplittableRandom(5));
        Architecture fpArch = space.parse(base.canonical());
        Architecture int8Arch = space.parse(fpArch.canonical().replace("32/32", "8/8"));
        Network fp = space.network(fpArch);
        Network int8 = space.network(int8Arch);
        assertEquals(fp.macs(), int8.macs());
        for (String name : List.of("pixel3", "xeon-gold-6240", "rtx-2080ti")) {
            DeviceProfile d = DeviceCatalog.get(name);
            CostReport f = CostModels.forDevice(d).estimate(fpArch, fp, d, 1);
            CostReport i = CostModels.forDevice(d).estimate(int8Arch, int8, d, 1);
            assertTrue(i.latencyMs() < f.latencyMs(), name + " " + base);
            assertTrue(i.modelBytes() * 4 <= f.modelBytes() + 8 * fp.layers().size(), name);
        }
    }

    @Test
    void sixteenBitLayersGoToTheHostOnTheEdgeTpuAndAreInfeasibleWithoutAFallback() {
        CompressedSpace space = (CompressedSpace) CompressedSpaces.get("mobilenet", Map.of("compression",
                Map.of("bits", List.of(8, 16), "activation_bits", List.of(8))));
        Architecture base = space.base().sample(new SplittableRandom(9));
        Architecture eightArch = uniform(space, base, 0);
        Architecture sixteenArch = uniform(space, base, 1);
        Network eight = space.network(eightArch);
        Network sixteen = space.network(sixteenArch);
        DeviceProfile tpu = DeviceCatalog.get("edge-tpu");
        CostModel m = CostModels.forDevice(tpu);
        CostReport r8 = m.estimate(eightArch, eight, tpu, 1);
        CostReport r16 = m.estimate(sixteenArch, sixteen, tpu, 1);
        assertTrue(r16.latencyMs() > r8.latencyMs(), r8.latencyMs() + " vs " + r16.latencyMs());
        // the stem convolution at 16 bits is the first op the Edge TPU cannot run: everything runs on the host
        assertTrue(r16.layers().stream().allMatch(l -> l.placement().startsWith("host: ")), r16.layers().toString());
        assertEquals("", r8.layers().get(0).placement(), "at 8 bits the stem runs on the Edge TPU");
        DeviceProfile perKernel = tpu.withSetting("partition", "kernels");
        double k8 = m.estimate(eightArch, eight, perKernel, 1).latencyMs();
        double k16 = m.estimate(sixteenArch, sixteen, perKernel, 1).latencyMs();
        assertTrue(k16 > 2 * k8, "16-bit kernels on the host, one by one: " + k8 + " vs " + k16);
        assertTrue(r16.feasible(), r16.violations().toString());
        DeviceProfile strict = tpu.withSetting("fallback", "none");
        CostReport bad = m.estimate(sixteenArch, sixteen, strict, 1);
        assertTrue(bad.violations().stream().anyMatch(s -> s.startsWith("precision: layer ")
                && s.contains("runs at 16 bits") && s.contains("declares no fallback")), bad.violations().toString());
        assertTrue(m.estimate(eightArch, eight, strict, 1).feasible());
    }

    /** The base architecture with every weight-bits slot at choice {@code w}, the rest at their first. */
    private static Architecture uniform(CompressedSpace space, Architecture base, int w) {
        int[] v = java.util.Arrays.copyOf(base.vectorArray(), space.choices().length);
        for (int i = base.vector().size(); i < v.length; i++) {
            v[i] = space.positions().get(i).endsWith(".wbits") ? w : 0;
        }
        return space.decode(v);
    }
}
