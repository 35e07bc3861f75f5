package io.hwnas.search.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.search.Evaluation;
import io.hwnas.search.SearchStrategies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Nb201TableBenchmarkTest {

    @Test
    void theWholeTableHasNoGapAndFindsTheWholeFront() {
        Nb201TableBenchmark bench = new Nb201TableBenchmark("cifar10", "fpga");
        List<Evaluation> all = new ArrayList<>();
        var space = SearchSpaces.get("nb201", Map.of());
        for (int i = 0; i < 15_625; i++) {
            all.add(bench.evaluate(space.parse(Integer.toString(i))));
        }
        assertEquals(0, bench.hvGap(all), 1e-12);
        assertEquals(1, bench.frontRecall(all), 1e-12);
        assertEquals(1, bench.hvGap(List.of()), 1e-12);
        assertTrue(bench.trueFrontSize() > 5);
    }

    @Test
    void unknownDatasetOrDeviceIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Nb201TableBenchmark("cifar11", "fpga"));
        assertTrue(e.getMessage().contains("cifar11") && e.getMessage().contains("cifar100"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Nb201TableBenchmark("cifar10", "tpu"));
        assertTrue(e.getMessage().contains("tpu") && e.getMessage().contains("raspi4"), e.getMessage());
    }

    /** The bar: at 300 evaluations over 10 seeds, every strategy beats random, nsga2 by half. */
    @ParameterizedTest
    @ValueSource(strings = {"raspi4", "pixel3", "eyeriss", "fpga"})
    void everyStrategyBeatsRandomAndNsga2HalvesItsGap(String device) {
        Nb201TableBenchmark bench = new Nb201TableBenchmark("cifar10", device);
        double random = bench.measure(SearchStrategies.get("random", Map.of()), 300, 10, 10).hvGapMean();
        for (String s : List.of("nsga2", "aging-evolution", "reinforce")) {
            double gap = bench.measure(SearchStrategies.get(s, Map.of()), 300, 10, 10).hvGapMean();
            assertTrue(gap < random, device + ": " + s + " gap " + gap + " is not below random's " + random);
            if (s.equals("nsga2")) {
                assertTrue(gap <= random / 2, device + ": nsga2 gap " + gap + " is not half of random's " + random);
            }
        }
    }

    @Test
    void architecturesOutsideTheTableFail() {
        Nb201TableBenchmark bench = new Nb201TableBenchmark("cifar10", "raspi4");
        Architecture other = Architecture.of("nb201", new int[] {9, 9, 9, 9, 9, 9}, "bogus");
        assertEquals(Evaluation.Status.FAILED, bench.evaluate(other).status());
    }
}
