package io.hwnas.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ProxiesTest {

    static final SearchSpace NB201 = SearchSpaces.get("nb201");
    static final String RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|";
    static final String CUT = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|";
    static final String POOL = "|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|none~1|skip_connect~2|";

    private static double estimate(AccuracyEstimator e, String arch, long seed) {
        return e.estimate(NB201, NB201.parse(arch), seed).value();
    }

    @ParameterizedTest
    @ValueSource(strings = {"synflow", "nwot", "snip", "grad_norm", "jacov"})
    void trainableCellOutranksCutCellAndScoresAreSeeded(String name) {
        AccuracyEstimator e = AccuracyEstimators.get(name, name.equals("synflow") ? Map.of() : Map.of("batch", 16));
        double a = estimate(e, RESNET, 1);
        assertTrue(Double.isFinite(a), name + " " + a);
        assertEquals(a, estimate(e, RESNET, 1), Math.abs(a) * 1e-9, name + " is deterministic for a seed");
        double cut = estimate(e, CUT, 1);
        assertTrue(a > cut, name + ": resnet " + a + " vs cut " + cut);
        assertTrue(!e.isAccuracy());
        assertEquals(name, e.estimate(NB201, NB201.parse(RESNET), 1).metric());
    }

    /** Synflow runs on one intra-op thread (a batch of one) and gives the engine's thread count back. */
    @Test
    void synflowLeavesTheEnginesThreadCountAsItFoundIt() {
        int before = io.hwnas.core.djl.DjlRuntime.threads();
        try {
            io.hwnas.core.djl.DjlRuntime.setThreads(2);
            double score = estimate(AccuracyEstimators.get("synflow", Map.of()), RESNET, 3);
            assertEquals(2, io.hwnas.core.djl.DjlRuntime.threads());
            io.hwnas.core.djl.DjlRuntime.setThreads(1);
            assertEquals(score, estimate(AccuracyEstimators.get("synflow", Map.of()), RESNET, 3), 0,
                    "the same score whatever the engine's setting");
            assertEquals(1, io.hwnas.core.djl.DjlRuntime.threads());
        } finally {
            io.hwnas.core.djl.DjlRuntime.setThreads(before);
        }
    }

    @Test
    void countsComeFromTheIr() {
        Architecture a = NB201.parse(RESNET);
        Network n = NB201.network(a);
        assertEquals(n.params() / 1e6, AccuracyEstimators.get("params", Map.of()).estimate(NB201, a, 0).value(), 1e-12);
        assertEquals(0.559386, AccuracyEstimators.get("params", Map.of()).estimate(NB201, a, 0).value(), 1e-6);
        assertEquals(78.56193, AccuracyEstimators.get("flops", Map.of()).estimate(NB201, a, 0).value(), 0.02);
    }

    @Test
    void optionsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AccuracyEstimators.get("synflow", Map.of("batch", 8)));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccuracyEstimators.get("nwot", Map.of("batch", 1)));
        assertTrue(e.getMessage().contains("batch = 1") && e.getMessage().contains("2..1024"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccuracyEstimators.get("nwot", Map.of("data", "mnist")));
        assertTrue(e.getMessage().contains("fashion-mnist"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AccuracyEstimators.get("ensemble", Map.of("proxies", List.of("synflow", "zen"))));
        assertTrue(e.getMessage().contains("zen") && e.getMessage().contains("nwot"), e.getMessage());
        assertEquals(Map.of("batch", 32, "data", "random", "dir", "", "data_seed", 0),
                AccuracyEstimators.get("snip", Map.of("batch", 32)).options());
    }

    @Test
    void ensembleCombinesRanksAndIsThreadSafe() throws Exception {
        AccuracyEstimator e = AccuracyEstimators.get("ensemble", Map.of("proxies", List.of("synflow", "flops"),
                "reference", 8));
        double single = estimate(e, RESNET, 3);
        assertTrue(single >= 0 && single <= 100, "" + single);
        assertTrue(single > estimate(e, CUT, 3));
        AccuracyEstimator syn = AccuracyEstimators.get("synflow", Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Double>> f = List.of(RESNET, POOL, CUT, RESNET).stream()
                    .map(a -> pool.submit(() -> estimate(syn, a, 5))).toList();
            assertEquals(f.get(0).get(), f.get(3).get());
            assertEquals(estimate(syn, POOL, 5), f.get(1).get());
        } finally {
            pool.shutdown();
        }
    }

    /** Bound to a run, proxies and the ensemble (candidate and reference sample) score the run's network. */
    @Test
    void boundEstimatorsScoreTheRunsNetwork() {
        io.hwnas.core.ir.Shape gray = new io.hwnas.core.ir.Shape(1, 28, 28);
        Architecture a = NB201.parse(RESNET);
        double runParams = NB201.network(a, gray, 7).params() / 1e6;
        AccuracyEstimator params = AccuracyEstimators.get("params", Map.of());
        assertEquals(NB201.network(a).params() / 1e6, params.estimate(NB201, a, 0).value(), 1e-12);
        assertEquals(runParams, params.forNetwork(gray, 7).estimate(NB201, a, 0).value(), 1e-12);
        AccuracyEstimator ens = AccuracyEstimators.get("ensemble", Map.of("proxies", List.of("params", "flops"),
                "reference", 4)).forNetwork(gray, 7);
        assertEquals(runParams, ((Number) ens.estimate(NB201, a, 0).details().get("params")).doubleValue(), 1e-12);
        // options set after binding keep the binding
        AccuracyEstimator again = ens.withOptions(Map.of("proxies", List.of("params"), "reference", 4));
        assertEquals(runParams, ((Number) again.estimate(NB201, a, 0).details().get("params")).doubleValue(), 1e-12);
        assertEquals("an all-ones input of 1x28x28",
                ((ProxyEstimator) AccuracyEstimators.get("synflow", Map.of()).forNetwork(gray, 7)).dataDescription(NB201));
        assertEquals("64 seeded Gaussian inputs of 3x32x32 (data_seed 0)",
                ((ProxyEstimator) AccuracyEstimators.get("nwot", Map.of())).dataDescription(NB201));
        assertThrows(IllegalArgumentException.class, () -> params.forNetwork(gray, 0));
    }

    @Test
    void everyProxyIsRegistered() {
        for (String n : List.of("synflow", "nwot", "snip", "grad_norm", "jacov", "params", "flops", "ensemble", "table",
                "train")) {
            assertTrue(AccuracyEstimators.registry().contains(n), n);
        }
    }
}
