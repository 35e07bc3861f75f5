package io.hwnas.search.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.search.Evaluation;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyContract;
import io.hwnas.search.StrategyRun;
import io.hwnas.search.harness.Nb201TableBenchmark;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReinforceTest extends StrategyContract {

    @Override
    protected SearchStrategy strategy() {
        return new Reinforce();
    }

    @ParameterizedTest
    @ValueSource(strings = {"raspi4", "pixel3", "eyeriss", "fpga"})
    void lastFifthOfSamplesEarnsMoreThanTheFirstOnEverySeed(String device) {
        Nb201TableBenchmark bench = new Nb201TableBenchmark("cifar10", device);
        for (long seed = 0; seed < 10; seed++) {
            StrategyRun run = strategy().start(bench.problem(300, 10), seed);
            drive(run, bench::evaluate);
            @SuppressWarnings("unchecked")
            List<Double> r = (List<Double>) run.report().get("rewards");
            assertEquals(300, r.size());
            double first = r.subList(0, 60).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double last = r.subList(240, 300).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(last > first, device + " seed " + seed + ": last 20% mean reward " + last
                    + " does not beat the first 20% " + first);
        }
    }

    @Test
    void explicitTargetGivesOneMnasNetControllerWithTheHardReward() {
        SearchStrategy s = strategy().withOptions(Map.of("targets", Map.of("latency_ms@toy", 10.0), "mode", "hard"));
        ReinforceRun run = (ReinforceRun) s.start(problem(20, 5), 0);
        assertEquals(1, run.report().get("controllers"));
        Architecture a = problem(20, 5).space().sample(new java.util.SplittableRandom(0));
        Map<String, Double> t = Map.of("latency_ms@toy", 10.0);
        assertEquals(80.0, run.reward(Evaluation.ok(a, Map.of("accuracy", 80.0, "latency_ms@toy", 5.0)), t, 0), 1e-9);
        assertEquals(40.0, run.reward(Evaluation.ok(a, Map.of("accuracy", 80.0, "latency_ms@toy", 20.0)), t, 0), 1e-9);
        assertEquals(0.0, run.reward(Evaluation.failed(a, "x"), t, 0));
        Map<String, Double> two = Map.of("latency_ms@toy", 10.0, "latency_ms@other", 4.0); // devices multiply
        assertEquals(80.0 * 10 / 20 * 4 / 8, run.reward(Evaluation.ok(a, Map.of("accuracy", 80.0, "latency_ms@toy", 20.0,
                "latency_ms@other", 8.0)), two, 0), 1e-9);
        ReinforceRun soft = (ReinforceRun) strategy().withOptions(Map.of("targets", Map.of("latency_ms@toy", 10.0)))
                .start(problem(20, 5), 0);
        assertEquals(80 * Math.pow(2, -0.07),
                soft.reward(Evaluation.ok(a, Map.of("accuracy", 80.0, "latency_ms@toy", 20.0)), t, -0.07), 1e-9);
    }
}
