package io.hwnas.search.amc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressedSpaces;
import io.hwnas.search.Constraint;
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
 * {@code amc} on a small compressed mobilenet space, with model bytes from the IR (a real, monotone
 * cost) as the oracle and a synthetic accuracy that falls with fewer bits and more pruning.
 */
class AmcTest extends StrategyContract {

    static final String BASE = "r32-w0.5|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3";
    static final SearchSpace SPACE = CompressedSpaces.get("mobilenet", Map.of("resolutions", List.of(32), "widths",
            List.of(0.5), "compression", Map.of("bits", List.of(2, 4, 8, 32), "activation_bits", List.of(8, 32),
                    "prune", List.of(0, 0.25, 0.5, 0.75))));
    static final CostOracle BYTES = (metric, a) -> metric.equals("model_bytes@toy")
            ? OptionalDouble.of(SPACE.network(a).modelBytes()) : OptionalDouble.empty();

    @Override
    protected SearchStrategy strategy() {
        return new Amc().withOptions(Map.of("base", BASE, "budget", Map.of("metric", "model_bytes", "ratio", 0.15)));
    }

    @Override
    protected SearchProblem problem(int budget, int batchSize) {
        return new SearchProblem(SPACE, List.of(Objective.maximize("accuracy"), Objective.minimize("model_bytes@toy")),
                List.of(), budget, batchSize, BYTES);
    }

    /** Accuracy: 90 less a per-position penalty for fewer bits and more pruning; bytes from the IR. */
    @Override
    protected Evaluation evaluate(Architecture a) {
        int[] v = a.vectorArray();
        int base = ((CompressedSpace) SPACE).base().choices().length;
        int[] c = SPACE.choices();
        double acc = 90;
        for (int i = base; i < v.length; i++) {
            double aggressive = SPACE.positions().get(i).endsWith("prune") ? v[i] : c[i] - 1 - v[i];
            acc -= aggressive * (0.05 + (i * 7 % 5) * 0.1);
        }
        return Evaluation.ok(a, Map.of("accuracy", acc, "model_bytes@toy", (double) SPACE.network(a).modelBytes()));
    }

    @Override
    protected int budget() {
        return 30;
    }

    @Override
    protected int batchSize() {
        return 6;
    }

    @Test
    void everyCandidateIsWithinTheBudgetAndOnlyCompressionChanges() {
        CompressedSpace space = (CompressedSpace) SPACE;
        Architecture base = Amc.baseArchitecture(space, BASE);
        int baseLength = space.base().choices().length;
        double max = 0.15 * SPACE.network(base).modelBytes();
        for (long seed = 0; seed < 3; seed++) {
            AmcRun run = (AmcRun) strategy().start(problem(40, 8), seed);
            assertEquals(max, run.budgetMax(), 1e-6);
            assertEquals("model_bytes@toy", run.budgetMetric());
            List<Architecture> all = drive(run, a -> {
                if (!a.equals(base)) { // asked before the batch is told, as the runner does
                    assertEquals(java.util.Optional.of(base), run.parentOf(a), "every compression starts from the base");
                }
                return evaluate(a);
            }).stream().flatMap(List::stream).toList();
            assertEquals(40, all.size());
            assertEquals(base, all.get(0), "the base network is evaluated first");
            for (Architecture a : all.subList(1, all.size())) {
                assertTrue(SPACE.network(a).modelBytes() <= max, a.canonical() + " over the budget " + max);
                assertEquals(List.of(java.util.Arrays.stream(base.vectorArray(), 0, baseLength).boxed().toArray()),
                        List.of(java.util.Arrays.stream(a.vectorArray(), 0, baseLength).boxed().toArray()),
                        "amc changed an architecture position: " + a.canonical());
                assertEquals(space.baseArchitecture(base), space.baseArchitecture(a));
            }
            Map<String, Object> r = run.report();
            assertEquals(List.of(), r.get("over_budget"));
            assertEquals(39, r.get("episodes"));
            assertTrue((Integer) r.get("clipped_actions") > 0, "a 15% size budget needs clipping: " + r);
        }
    }

    @Test
    void fillingTheBudgetLeavesNoRelaxationThatFitsAndScoresHigher() {
        CompressedSpace space = (CompressedSpace) SPACE;
        Architecture base = Amc.baseArchitecture(space, BASE);
        double max = 0.15 * SPACE.network(base).modelBytes();
        int[] b = base.vectorArray();
        double[] mean = new double[2];
        for (boolean fill : new boolean[] {false, true}) {
            StrategyRun run = strategy().withOptions(Map.of("fill_budget", fill)).start(problem(25, 8), 5);
            List<Architecture> all = drive(run, this::evaluate).stream().flatMap(List::stream).skip(1).toList();
            int maximal = 0;
            for (Architecture a : all) {
                assertTrue(SPACE.network(a).modelBytes() <= max, a.canonical());
                boolean anyFits = false;
                int[] v = a.vectorArray();
                for (int p = space.base().choices().length; p < v.length; p++) {
                    if (v[p] != b[p]) {
                        int[] w = v.clone();
                        w[p] += Integer.signum(b[p] - v[p]);
                        anyFits |= SPACE.network(space.decode(w)).modelBytes() <= max;
                    }
                }
                maximal += anyFits ? 0 : 1;
                mean[fill ? 1 : 0] += evaluate(a).metric("accuracy") / all.size();
            }
            Map<String, Object> r = run.report();
            if (fill) {
                assertEquals(all.size(), maximal, "after filling, no candidate has a relaxation within the budget");
                assertTrue((Integer) r.get("budget_fill_relaxations") > 0, r.toString());
            } else {
                assertTrue(maximal < all.size(), "without filling the agent leaves budget unspent: " + maximal);
                assertTrue(!r.containsKey("budget_fill_relaxations"));
            }
        }
        assertTrue(mean[1] > mean[0], "the synthetic accuracy falls with every aggressive choice, so spending the "
                + "budget raises it: " + java.util.Arrays.toString(mean));
    }

    @Test
    void aTightBudgetIsMetByClippingAndAnImpossibleOneIsAnError() {
        CompressedSpace space = (CompressedSpace) SPACE;
        Architecture base = Amc.baseArchitecture(space, BASE);
        double floor = SPACE.network(SPACE.parse(BASE.concat(suffix(space, base)))).modelBytes();
        StrategyRun tight = new Amc().withOptions(Map.of("base", BASE, "budget", Map.of("metric", "model_bytes",
                "device", "toy", "max", floor))).start(problem(10, 5), 1);
        drive(tight, this::evaluate).stream().flatMap(List::stream).skip(1).forEach(a ->
                assertTrue(SPACE.network(a).modelBytes() <= floor, a.canonical()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Amc().withOptions(
                Map.of("base", BASE, "budget", Map.of("metric", "model_bytes", "max", floor * 0.99)))
                .start(problem(10, 5), 1));
        assertTrue(e.getMessage().contains("cannot be met") && e.getMessage().contains("model_bytes@toy"),
                e.getMessage());
    }

    /** The suffix of the most compressed setting: every layer 2/8 bits, every group 75% pruned. */
    private static String suffix(CompressedSpace space, Architecture base) {
        var slots = space.slots(base);
        return "#q=" + String.join(",", java.util.Collections.nCopies(slots.layers().size(), "2/8")) + "#p="
                + String.join(",", java.util.Collections.nCopies(slots.groups().size(), "75"));
    }

    @Test
    void theBudgetComesFromAConstraintWhenNotGiven() {
        SearchProblem p = new SearchProblem(SPACE, List.of(Objective.maximize("accuracy")),
                List.of(new Constraint("model_bytes@toy", 200_000)), 10, 5, BYTES);
        AmcRun run = (AmcRun) new Amc().withOptions(Map.of("base", BASE)).start(p, 0);
        assertEquals("model_bytes@toy", run.budgetMetric());
        assertEquals(200_000, run.budgetMax());
    }

    @Test
    void badOptionsAreNamed() {
        assertMessage(Map.of("base", BASE, "budget", Map.of("metric", "flops", "max", 1)),
                "option budget.metric = flops is not allowed");
        assertMessage(Map.of("base", BASE, "budget", Map.of("metric", "latency_ms", "max", 1, "ratio", 0.5)),
                "exactly one of budget.max");
        assertMessage(Map.of("base", BASE, "budget", Map.of("max", -1)), "option budget.max = -1 is not allowed");
        assertMessage(Map.of("base", BASE, "budget", Map.of("max", 1, "limit", 3)), "budget.limit");
        assertMessage(Map.of("base", BASE, "budget", 5), "option budget = 5 is not allowed");
        assertMessage(Map.of("learning_rate", 0), "option learning_rate = 0 is not allowed");
        assertMessage(Map.of("fill_budget", "yes"), "fill_budget");
        assertStartMessage(new Amc().withOptions(Map.of("budget", Map.of("max", 1))), problem(5, 5),
                "option base is required");
        assertStartMessage(new Amc().withOptions(Map.of("base", "r32-w0.5|nonsense", "budget", Map.of("max", 1))),
                problem(5, 5), "option base = r32-w0.5|nonsense is not an architecture of space mobilenet");
        assertStartMessage(strategy(), new SearchProblem(SearchSpaces.get("nb201", Map.of()),
                List.of(Objective.maximize("accuracy")), List.of(), 5, 5, BYTES), "needs a space with a compression");
        assertStartMessage(new Amc().withOptions(Map.of("base", BASE, "budget", Map.of("metric", "latency_ms",
                "device", "gone", "max", 1))), problem(5, 5), "predicts no latency_ms@gone");
        assertStartMessage(new Amc().withOptions(Map.of("base", BASE)), problem(5, 5), "needs a budget");
    }

    private static void assertMessage(Map<String, ?> options, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Amc().withOptions(options));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("amc"), e.getMessage());
    }

    private static void assertStartMessage(SearchStrategy s, SearchProblem p, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.start(p, 0));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void theAgentLearnsWhichLayersToKeepWide() {
        for (long seed = 0; seed < 2; seed++) {
            StrategyRun run = strategy().start(problem(201, 10), seed);
            drive(run, this::evaluate);
            @SuppressWarnings("unchecked")
            List<Double> r = (List<Double>) run.report().get("rewards");
            assertEquals(200, r.size());
            double first = r.subList(0, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double last = r.subList(160, 200).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(last > first + 3, "seed " + seed + ": last 40 mean reward " + last + " vs first 40 " + first);
        }
    }
}
