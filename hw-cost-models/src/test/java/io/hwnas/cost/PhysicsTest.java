package io.hwnas.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.neuromorphic.FiringRates;
import io.hwnas.cost.neuromorphic.NeuromorphicModel;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Physical sense of every analytical model: cost grows with size, precision and activity. */
class PhysicsTest {

    private static CostReport cost(String device, Network n, int batch) {
        DeviceProfile d = DeviceCatalog.get(device);
        return CostModels.forDevice(d).estimate(Toy.ARCH, n, d, batch);
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @CsvSource({"raspi4,1", "xeon-gold-6226,8", "titan-rtx,64", "h100,256", "jetson-nano,1", "eyeriss,1", "edge-tpu,4",
            "npu-int8,1", "fpga,1", "loihi2,1", "truenorth,1", "akida,1"})
    void latencyAndEnergyGrowWithWidthAndDepth(String device, int batch) {
        CostReport narrow = cost(device, Toy.chain(16, 4, 32), batch);
        CostReport wide = cost(device, Toy.chain(128, 4, 32), batch);
        CostReport deep = cost(device, Toy.chain(16, 16, 32), batch);
        if (device.equals("truenorth")) { // a fixed 1 ms tick: width costs no time until the cores saturate
            assertTrue(wide.latencyMs() >= narrow.latencyMs(), device + " latency does not fall with width");
        } else {
            assertTrue(wide.latencyMs() > narrow.latencyMs(), device + " latency grows with width: "
                    + narrow.latencyMs() + " -> " + wide.latencyMs());
        }
        assertTrue(deep.latencyMs() > narrow.latencyMs(), device + " latency grows with depth");
        assertTrue(wide.energyMj() > narrow.energyMj(), device + " energy grows with width");
        assertTrue(deep.energyMj() > narrow.energyMj(), device + " energy grows with depth");
        assertTrue(wide.modelBytes() > narrow.modelBytes());
        for (CostReport r : new CostReport[] {narrow, wide, deep}) {
            double sum = r.layers().stream().mapToDouble(LayerCost::timeMs).sum();
            assertTrue(sum > 0 && r.layers().stream().allMatch(l -> l.timeMs() >= 0 && l.energyMj() >= 0));
        }
    }

    @Test
    void analyticalLatencyIsTheFixedTimePlusTheKernels() {
        for (String device : new String[] {"raspi4", "titan-rtx", "eyeriss"}) {
            DeviceProfile d = DeviceCatalog.get(device);
            CostReport r = cost(device, Toy.chain(32, 3, 32), 2);
            double sum = r.layers().stream().mapToDouble(LayerCost::timeMs).sum() + d.number("fixed_ms");
            assertEquals(sum, r.latencyMs(), 1e-9 * sum, device);
        }
    }

    @Test
    void int8CostsLessEnergyThanFp32OnTheNpuAndInt4LessStill() {
        Network n = Toy.chain(64, 6, 32);
        DeviceProfile int8 = DeviceCatalog.get("npu-int8");
        CostModel npu = CostModels.get("npu");
        double e8 = npu.estimate(Toy.ARCH, n, int8, 1).energyMj();
        double e32 = npu.estimate(Toy.ARCH, n, int8.withSetting("precision", "fp32"), 1).energyMj();
        double e4 = npu.estimate(Toy.ARCH, n, int8.withSetting("precision", "int4"), 1).energyMj();
        double q4 = npu.estimate(Toy.ARCH, n.withBits(4), int8, 1).energyMj();
        assertTrue(e8 < e32, e8 + " < " + e32);
        assertTrue(e4 < e8, e4 + " < " + e8);
        assertEquals(e4, q4, 1e-12, "a 4-bit network runs at 4 bits");
        assertTrue(npu.estimate(Toy.ARCH, n, int8, 1).modelBytes() * 4
                == npu.estimate(Toy.ARCH, n, int8.withSetting("precision", "fp32"), 1).modelBytes());
    }

    @Test
    void neuromorphicEnergyFallsWithTheFiringRate() {
        Network n = Toy.chain(16, 4, 16);
        DeviceProfile d = DeviceCatalog.get("loihi2");
        double previous = Double.POSITIVE_INFINITY;
        for (double rate : new double[] {0.5, 0.2, 0.1, 0.02, 0.0}) {
            double e = NeuromorphicModel.withRates(FiringRates.uniform(rate)).estimate(Toy.ARCH, n, d, 1).energyMj();
            assertTrue(e < previous, "rate " + rate + ": " + e + " < " + previous);
            previous = e;
        }
        // per-layer rates: a silent layer makes the layer after it cheaper
        FiringRates some = new FiringRates(Map.of("l0.relu", 0.0), 0.2, "test");
        double silent = NeuromorphicModel.withRates(some).estimate(Toy.ARCH, n, d, 1).energyMj();
        double uniform = NeuromorphicModel.withRates(FiringRates.uniform(0.2)).estimate(Toy.ARCH, n, d, 1).energyMj();
        assertTrue(silent < uniform);
    }

    @Test
    void overSizeNetworksAreInfeasibleOnSmallDevices() {
        Network big = Toy.chain(1024, 8, 64);
        CostReport nano = cost("jetson-nano", big, 512);
        assertFalse(nano.feasible());
        assertTrue(nano.violations().get(0).startsWith("memory:"), nano.violations().toString());
        assertTrue(cost("titan-rtx", Toy.chain(16, 2, 32), 1).feasible());
        CostReport tn = cost("truenorth", Toy.chain(64, 2, 32), 1);
        assertFalse(tn.feasible());
        assertTrue(tn.violations().stream().anyMatch(v -> v.startsWith("fan-in:")), tn.violations().toString());
        CostReport akida = cost("akida", big, 1);
        assertTrue(akida.violations().stream().anyMatch(v -> v.startsWith("neurons:") || v.startsWith("cores:")));
    }

    @Test
    void gpuEagerAtBatchOneIsLaunchBoundAndGraphModeIsFaster() {
        SearchSpace s = SearchSpaces.get("nb201");
        Network n = s.network(s.sample(new SplittableRandom(3)));
        DeviceProfile eager = DeviceCatalog.get("titan-rtx");
        CostModel gpu = CostModels.get("gpu");
        CostReport e = gpu.estimate(null, n, eager, 1);
        CostReport g = gpu.estimate(null, n, eager.withSetting("execution", "graph"), 1);
        assertTrue(g.latencyMs() < e.latencyMs());
        long overhead = e.layers().stream().filter(l -> l.bound() == Bound.OVERHEAD).count();
        assertTrue(overhead > e.layers().size() / 2, overhead + " of " + e.layers().size());
    }

    @Test
    void foldingZerosDropsDeadEdgesAndAFullyCutCellFoldsTheWholeNetwork() {
        SearchSpace s = SearchSpaces.get("nb201");
        Network full = s.network(s.parse("|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|"));
        KernelPlan all = KernelPlan.compact(full, new GraphRewrites(false, ZeroLayers.COMPUTED, false));
        KernelPlan folded = KernelPlan.compact(full, new GraphRewrites(false, ZeroLayers.FOLDED, false));
        assertTrue(total(folded) < total(all));
        Network cut = s.network(s.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|"));
        assertEquals(0, KernelPlan.compact(cut, new GraphRewrites(false, ZeroLayers.FOLDED, false)).distinct());
        assertTrue(KernelPlan.compact(cut, new GraphRewrites(false, ZeroLayers.COMPUTED, false)).distinct() > 0);
    }

    /**
     * {@code fold_zero: sums}, the deployment export's form: zeros read only by sums with another input are left out
     * with everything only they read, and the other zeros run; the plan lists exactly the cells' layers the export
     * computes.
     */
    @Test
    void skippingZerosInSumsLeavesOutTheLayersOnlyTheyRead() {
        SearchSpace s = SearchSpaces.get("nb201");
        // node 3 = skip(0) + zero(1) + zero(2): nodes 1 and 2 (two 3x3 convolutions) are never read
        Network dead = s.network(
                s.parse("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|"));
        KernelPlan skipped = KernelPlan.of(dead, new GraphRewrites(true, ZeroLayers.SKIPPED_IN_SUMS, false));
        assertTrue(skipped.names().stream().noneMatch(k -> k.contains(".cell")), skipped.names().toString());
        assertTrue(KernelPlan.of(dead, new GraphRewrites(true, ZeroLayers.COMPUTED, false)).names().stream()
                .anyMatch(k -> k.contains("cell0.edge(0-1).conv")));
        // node 1 = zero(0) is read by a convolution: it runs, as the export's zero convolution does; node 3 =
        // zero(0) + zero(1) + skip(2) leaves its two zeros out
        Network read = s.network(s.parse("|none~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|"));
        List<String> names = KernelPlan.of(read, new GraphRewrites(true, ZeroLayers.SKIPPED_IN_SUMS, false))
                .names();
        assertTrue(names.contains("stage1.cell0.edge(0-1).zero") && names.contains("stage1.cell0.edge(1-2).conv+bn"),
                names.toString());
        assertTrue(names.stream().noneMatch(k -> k.contains("cell0.edge(0-3)") || k.contains("cell0.edge(1-3)")),
                names.toString());
        assertEquals(ZeroLayers.SKIPPED_IN_SUMS, ZeroLayers.of(DeviceCatalog.get("raspi4").withSetting("fold_zero",
                "sums")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZeroLayers.of(
                DeviceCatalog.get("raspi4").withSetting("fold_zero", "maybe")));
        assertTrue(e.getMessage().contains("fold_zero = 'maybe'") && e.getMessage().contains("[false, sums, true]"),
                e.getMessage());
    }

    /**
     * {@code cse: true}: a pooling or activation that repeats an earlier one on the same input, seen through skip
     * connections and one-operand sums, runs once, as ONNX Runtime's common subexpression elimination runs it.
     */
    @Test
    void commonSubexpressionEliminationRunsARepeatedPoolingOnce() {
        SearchSpace s = SearchSpaces.get("nb201");
        // node 1 = x; node 3 = pool(x) + pool(node 1 = x) + zero(node 2): one pooling of x per cell (node 2 is
        // read only through a zero and never runs)
        Network n = s.network(s.parse("|skip_connect~0|+|avg_pool_3x3~0|skip_connect~1|+|avg_pool_3x3~0|avg_pool_3x3~1|"
                + "none~2|"));
        GraphRewrites plain = new GraphRewrites(true, ZeroLayers.SKIPPED_IN_SUMS, false);
        java.util.function.Function<GraphRewrites, Long> pools = r -> KernelPlan.of(n, r).names().stream()
                .filter(k -> k.startsWith("stage1.cell0.") && k.endsWith(".pool")).count();
        assertEquals(2, pools.apply(plain));
        assertEquals(1, pools.apply(new GraphRewrites(true, ZeroLayers.SKIPPED_IN_SUMS, true)));
        // two convolution edges read node 0: two ReLUs of it, one with cse (node 1's fuses into its convolution)
        Network relu = s.network(s.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|"
                + "skip_connect~2|"));
        java.util.function.Function<GraphRewrites, Long> relus = r -> KernelPlan.of(relu, r).names().stream()
                .filter(k -> k.startsWith("stage1.cell0.") && k.endsWith(".relu")).count();
        assertEquals(2, relus.apply(plain));
        assertEquals(1, relus.apply(new GraphRewrites(true, ZeroLayers.SKIPPED_IN_SUMS, true)));
        assertTrue(GraphRewrites.of(DeviceCatalog.get("raspi4").withSetting("cse", "true")).cse());
    }

    @Test
    void fusionMergesConvolutionBatchNormAndActivation() {
        Network n = Toy.chain(16, 2, 16);
        KernelPlan fused = KernelPlan.of(n, new GraphRewrites(true, ZeroLayers.COMPUTED, false));
        KernelPlan plain = KernelPlan.of(n, new GraphRewrites(false, ZeroLayers.COMPUTED, false));
        assertTrue(fused.occurrences() < plain.occurrences());
        assertTrue(fused.names().contains("l0.conv+bn+relu"), fused.names().toString());
        assertTrue(KernelPlan.of(n, new GraphRewrites(true, ZeroLayers.COMPUTED, false)) == fused,
                "plans are cached per network instance");
    }

    private static int total(KernelPlan p) {
        int t = 0;
        for (int i = 0; i < p.distinct(); i++) {
            t += p.count(i);
        }
        return t;
    }
}
