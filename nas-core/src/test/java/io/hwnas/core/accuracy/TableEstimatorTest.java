package io.hwnas.core.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableEstimatorTest {

    static final String RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|";

    @Test
    void publishedAccuraciesOfTheResnetCell() {
        SearchSpace s = SearchSpaces.get("nb201");
        AccuracyEstimator t = AccuracyEstimators.get("table", Map.of());
        Estimate e = t.estimate(s, s.parse(RESNET), 0);
        assertEquals(93.91, e.value(), 1e-9);
        assertEquals("nb201:cifar10", e.metric());
        assertEquals("11472", e.details().get("arch_index"));
        assertEquals(70.88999990844727, AccuracyEstimators.get("table", Map.of("dataset", "cifar100"))
                .estimate(s, s.parse(RESNET), 0).value(), 1e-9);
        assertEquals(44.23333329264323, AccuracyEstimators.get("table", Map.of("dataset", "imagenet16-120"))
                .estimate(s, s.parse(RESNET), 0).value(), 1e-9);
        assertTrue(t.isAccuracy());
        // the pruned space names the same cells
        SearchSpace pruned = s.withOptions(Map.of("prune", true));
        assertEquals(93.91, t.estimate(pruned, pruned.parse(RESNET), 0).value(), 1e-9);
    }

    @Test
    void badOptionsAndOtherSpacesFailClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AccuracyEstimators.get("table", Map.of("dataset", "mnist")));
        assertTrue(e.getMessage().contains("dataset = mnist") && e.getMessage().contains("cifar100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AccuracyEstimators.get("table", Map.of("data", "x")));
        assertTrue(e.getMessage().contains("unknown option"), e.getMessage());
        SearchSpace fb = SearchSpaces.get("fbnet");
        e = assertThrows(IllegalArgumentException.class, () -> AccuracyEstimators.get("table", Map.of())
                .estimate(fb, fb.sample(new java.util.SplittableRandom(1)), 0));
        assertTrue(e.getMessage().contains("nb201"), e.getMessage());
    }

    @Test
    void aCompressedCellHasItsUncompressedCellsAccuracyMarkedAsSuch() {
        SearchSpace plain = SearchSpaces.get("nb201", Map.of());
        SearchSpace compressed = io.hwnas.core.space.compress.CompressedSpaces.get("nb201", Map.of("compression",
                Map.of("bits", java.util.List.of(4, 8), "prune", java.util.List.of(0, 0.5))));
        var a = compressed.sample(new java.util.SplittableRandom(3));
        assertTrue(a.canonical().contains("#q="), a.canonical());
        String cell = a.canonical().substring(0, a.canonical().indexOf("#q="));
        TableEstimator t = new TableEstimator();
        Estimate e = t.estimate(compressed, a, 0);
        assertEquals(t.estimate(plain, plain.parse(cell), 0).value(), e.value(), 0.0);
        assertTrue(String.valueOf(e.details().get("compression")).startsWith("not modelled"), e.details().toString());
    }
}
