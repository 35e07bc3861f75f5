package io.hwnas.search.netadapt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.search.CostOracle;
import io.hwnas.search.Evaluation;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyContract;
import io.hwnas.search.StrategyRun;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * NetAdapt with a synthetic MACs-based latency oracle and a synthetic accuracy in which early
 * layers' channels matter more than late ones (the real comparison, Fashion-MNIST fine-tuning, needs
 * the training estimator and runs outside the tests).
 */
class NetAdaptTest extends StrategyContract {

    private static final MobilenetSpace SPACE = (MobilenetSpace) SearchSpaces.get("mobilenet", Map.of("resolutions",
            List.of(32), "widths", List.of(1.0)));
    private static final String LATENCY = "latency_ms@toy";

    /** Latency predicted as MACs / 1e6 of the network on a 1x32x32 input with 10 classes. */
    static final CostOracle MACS = (metric, a) -> metric.equals(LATENCY)
            ? OptionalDouble.of(SPACE.network(a, new io.hwnas.core.ir.Shape(1, 32, 32), 10).macs() / 1e6)
            : OptionalDouble.empty();

    @Override
    protected SearchStrategy strategy() {
        return new NetAdapt();
    }

    @Override
    protected boolean seedMatters() {
        return false;
    }

    @Override
    protected SearchProblem problem(int budget, int batchSize) {
        return new SearchProblem(SPACE, List.of(Objective.maximize("accuracy"), Objective.minimize(LATENCY)), List.of(),
                budget, batchSize, MACS);
    }

    /** 90% minus a loss per layer growing as its channels shrink, weighted 6x more in stage 0 than stage 4. */
    static double accuracy(Architecture a) {
        int[] v = SPACE.encode(a);
        double acc = 90;
        for (int[] layer : NetAdapt.layers(SPACE, a)) {
            double scale = MobilenetSpace.CHANNEL_SCALES[v[MobilenetSpace.position(layer[0], layer[1], 3)]];
            acc -= (6.0 - layer[0]) * 0.5 * (1 - scale) * (1 - scale);
        }
        return acc;
    }

    @Override
    protected Evaluation evaluate(Architecture a) {
        return Evaluation.ok(a, Map.of("accuracy", accuracy(a), LATENCY, MACS.predict(LATENCY, a).getAsDouble()));
    }

    @Test
    void shrinksStepByStepToTheBudgetAndBeatsUniformWidthScaling() {
        StrategyRun run = strategy().withOptions(Map.of("budget_ratio", 0.6)).start(problem(2000, 8), 0);
        drive(run, this::evaluate);
        Map<String, Object> report = run.report();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> trajectory = (List<Map<String, Object>>) report.get("trajectory");
        double l0 = (Double) report.get("initial_latency");
        assertTrue(trajectory.size() > 3, report.toString());
        for (int i = 1; i < trajectory.size(); i++) {
            double lat = (Double) trajectory.get(i).get("latency");
            assertTrue(lat <= (Double) trajectory.get(i).get("target") + 1e-12, "iteration " + i + " misses its target");
            assertTrue(lat < (Double) trajectory.get(i - 1).get("latency"));
            String shrunk = (String) trajectory.get(i).get("shrunk");
            assertTrue(shrunk.matches("stage\\d( [0-9.]+->[0-9.]+|\\.layer\\d e\\d->e\\d)"), "iteration " + i + ": " + shrunk);
            assertTrue(((List<?>) trajectory.get(i).get("candidate_accuracies")).contains(
                    trajectory.get(i).get("accuracy")), "the chosen candidate is among those scored");
        }
        assertEquals("", trajectory.get(0).get("shrunk"));
        Map<String, Object> last = trajectory.get(trajectory.size() - 1);
        double finalLatency = (Double) last.get("latency");
        assertTrue(finalLatency <= 0.6 * l0, report.get("stop").toString());
        assertTrue(((String) report.get("stop")).contains("within the budget"), report.get("stop").toString());

        // uniform width multipliers around the same predicted latency: interpolate their accuracy there
        Architecture start = NetAdapt.mobilenetV2(SPACE);
        double[] lat = new double[MobilenetSpace.CHANNEL_SCALES.length];
        double[] acc = new double[lat.length];
        for (int k = 0; k < lat.length; k++) {
            Architecture u = NetAdapt.uniformlyScaled(SPACE, start, k);
            lat[k] = MACS.predict(LATENCY, u).getAsDouble();
            acc[k] = accuracy(u);
        }
        int k = 0;
        while (lat[k + 1] > finalLatency) {
            k++;
        }
        double t = (lat[k] - finalLatency) / (lat[k] - lat[k + 1]);
        double uniformAcc = acc[k] + t * (acc[k + 1] - acc[k]);
        assertTrue((Double) last.get("accuracy") >= uniformAcc, "netadapt " + last.get("accuracy")
                + " vs uniform " + uniformAcc + " at latency " + finalLatency);
    }

    private static long adds(Architecture a) {
        return SPACE.network(a, new io.hwnas.core.ir.Shape(1, 32, 32), 10).layers().stream()
                .filter(l -> l.kind() == io.hwnas.core.ir.LayerKind.ADD).count();
    }

    /** Group granularity keeps every residual addition; shrinking single blocks' outputs drops some. */
    @Test
    void groupCandidatesKeepEveryResidualConnection() {
        long startAdds = adds(NetAdapt.mobilenetV2(SPACE));
        java.util.Set<Long> seen = new java.util.TreeSet<>();
        java.util.Set<String> shrunk = new java.util.TreeSet<>();
        StrategyRun group = strategy().withOptions(Map.of("budget_ratio", 0.3)).start(problem(4000, 64), 0);
        drive(group, a -> {
            seen.add(adds(a));
            return evaluate(a);
        });
        assertEquals(java.util.Set.of(startAdds), seen);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> trajectory = (List<Map<String, Object>>) group.report().get("trajectory");
        trajectory.forEach(row -> shrunk.add(((String) row.get("shrunk")).replaceAll("[0-9.]+->[0-9.]+|e\\d->e\\d", "")));
        assertTrue(shrunk.stream().anyMatch(s -> s.matches("stage\\d ")), "a whole stage shrank: " + shrunk);
        assertTrue(shrunk.stream().anyMatch(s -> s.matches("stage\\d\\.layer\\d ")), "an expansion shrank: " + shrunk);

        seen.clear();
        StrategyRun layer = strategy().withOptions(Map.of("budget_ratio", 0.5, "granularity", "layer"))
                .start(problem(2000, 64), 0);
        drive(layer, a -> {
            seen.add(adds(a));
            return evaluate(a);
        });
        assertTrue(seen.stream().anyMatch(n -> n < startAdds), "per-layer candidates drop additions: " + seen);
        assertThrows(IllegalArgumentException.class, () -> strategy().withOptions(Map.of("granularity", "block")));
    }

    @Test
    void refusesOtherSpacesAndOraclesWithoutLatency() {
        assertThrows(IllegalArgumentException.class, () -> strategy().start(new SearchProblem(
                SearchSpaces.get("nb201", Map.of()), List.of(Objective.maximize("accuracy"), Objective.minimize(LATENCY)),
                List.of(), 10, 1, MACS), 0));
        SearchProblem blind = new SearchProblem(SPACE, List.of(Objective.maximize("accuracy"),
                Objective.minimize(LATENCY)), List.of(), 10, 1, CostOracle.NONE);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> strategy().start(blind, 0));
        assertTrue(e.getMessage().contains(LATENCY), e.getMessage());
    }

    @Test
    void candidatesNameTheNetworkTheyWereShrunkFrom() {
        StrategyRun run = strategy().withOptions(Map.of("budget_ratio", 0.6)).start(problem(2000, 64), 0);
        List<Architecture> first = run.ask();
        assertTrue(run.parentOf(first.get(0)).isEmpty(), "the start network has no parent");
        run.tell(first.stream().map(this::evaluate).toList());
        Architecture current = first.get(0);
        for (int i = 0; i < 3; i++) {
            List<Architecture> batch = run.ask();
            for (Architecture a : batch) {
                assertEquals(current, run.parentOf(a).orElseThrow(), a.canonical());
            }
            run.tell(batch.stream().map(this::evaluate).toList());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> t = (List<Map<String, Object>>) run.report().get("trajectory");
            current = SPACE.parse((String) t.get(t.size() - 1).get("arch"));
        }
    }

    @Test
    void startOptionParsesAnArchitecture() {
        String s = "r32-w1.0|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6";
        StrategyRun run = strategy().withOptions(Map.of("start", s)).start(problem(10, 1), 0);
        assertEquals(s, run.ask().get(0).canonical());
    }

    @Test
    void candidatesThatOnlyBreakTheLatencyConstraintStillCount() {
        SearchProblem constrained = new SearchProblem(SPACE, List.of(Objective.maximize("accuracy"),
                Objective.minimize(LATENCY)), List.of(new io.hwnas.search.Constraint(LATENCY, 4.0)), 500, 8, MACS);
        StrategyRun run = strategy().withOptions(Map.of("latency_budget", 4.0)).start(constrained, 0);
        drive(run, a -> {
            Evaluation e = evaluate(a);
            return constrained.feasible(e.metrics()) ? e : Evaluation.infeasible(a, e.metrics(), "latency above 4");
        });
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> trajectory = (List<Map<String, Object>>) run.report().get("trajectory");
        assertTrue((Double) trajectory.get(trajectory.size() - 1).get("latency") <= 4.0, run.report().toString());
    }
}
