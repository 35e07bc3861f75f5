package io.hwnas.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpaces;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every search strategy shares; each strategy's test extends it. A strategy is driven
 * the way the runner drives it: ask, evaluate the batch, tell, until ask returns empty.
 */
public abstract class StrategyContract {

    /** The strategy under test, with the options the test wants. */
    protected abstract SearchStrategy strategy();

    /** A problem the strategy applies to; by default NB201 with a synthetic accuracy and latency. */
    protected SearchProblem problem(int budget, int batchSize) {
        return new SearchProblem(SearchSpaces.get("nb201", Map.of()),
                List.of(Objective.maximize("accuracy"), Objective.minimize("latency_ms@toy")), List.of(), budget,
                batchSize, CostOracle.NONE);
    }

    /** Deterministic synthetic metrics for the problem's architectures. */
    protected Evaluation evaluate(Architecture a) {
        int[] v = a.vectorArray();
        double acc = 50;
        double lat = 1;
        for (int i = 0; i < v.length; i++) {
            acc += ((v[i] * 7 + i * 3) % 5) * (1 + i % 3);
            lat += v[i] * (1 + (i % 2));
        }
        return Evaluation.ok(a, Map.of("accuracy", acc, "latency_ms@toy", lat));
    }

    /** Whether different seeds should give different proposals (false for deterministic strategies). */
    protected boolean seedMatters() {
        return true;
    }

    protected int budget() {
        return 60;
    }

    protected int batchSize() {
        return 7;
    }

    /** Drives a run to its end and returns every batch it asked for. */
    protected final List<List<Architecture>> drive(StrategyRun run, Function<Architecture, Evaluation> evaluator) {
        List<List<Architecture>> batches = new ArrayList<>();
        for (List<Architecture> batch = run.ask(); !batch.isEmpty(); batch = run.ask()) {
            batches.add(batch);
            run.tell(batch.stream().map(evaluator).toList());
            assertTrue(batches.size() <= 100_000, "the run never ends");
        }
        return batches;
    }

    @Test
    void isRegisteredByName() {
        SearchStrategy s = strategy();
        assertEquals(s.getClass(), SearchStrategies.get(s.name(), Map.of()).getClass());
    }

    @Test
    void sameSeedAndResultsGiveTheSameProposals() {
        List<List<Architecture>> first = drive(strategy().start(problem(budget(), batchSize()), 11), this::evaluate);
        // replay as a resumed run does: answers from the journal of the first run
        Map<Architecture, Evaluation> journal = new HashMap<>();
        first.stream().flatMap(List::stream).forEach(a -> journal.put(a, evaluate(a)));
        List<List<Architecture>> replay = drive(strategy().start(problem(budget(), batchSize()), 11), a -> {
            Evaluation e = journal.get(a);
            assertTrue(e != null, "the replay asked for " + a + ", which the first run never proposed");
            return e;
        });
        assertEquals(first, replay);
        if (seedMatters()) {
            assertNotEquals(first, drive(strategy().start(problem(budget(), batchSize()), 12), this::evaluate));
        }
    }

    @Test
    void neverProposesTwiceAndRespectsTheBudget() {
        StrategyRun run = strategy().start(problem(budget(), batchSize()), 3);
        List<List<Architecture>> batches = drive(run, this::evaluate);
        List<Architecture> all = batches.stream().flatMap(List::stream).toList();
        assertEquals(all.size(), new HashSet<>(all).size(), "an architecture was proposed twice");
        assertTrue(all.size() <= budget(), all.size() + " proposals for a budget of " + budget());
        assertFalse(all.isEmpty());
        assertTrue(run.ask().isEmpty(), "ask must stay empty once the run ended");
    }

    @Test
    void handlesFailedAndInfeasibleEvaluations() {
        int[] count = {0};
        Function<Architecture, Evaluation> flaky = a -> {
            int k = count[0]++;
            Evaluation ok = evaluate(a);
            if (k % 3 == 1) {
                return Evaluation.failed(a, "out of memory");
            }
            if (k % 4 == 2) {
                return Evaluation.infeasible(a, ok.metrics(), "needs more RAM than the device has");
            }
            return ok;
        };
        List<Architecture> all = drive(strategy().start(problem(budget(), batchSize()), 5), flaky).stream()
                .flatMap(List::stream).toList();
        assertEquals(all.size(), new HashSet<>(all).size());
        assertTrue(all.size() <= budget());
        List<Architecture> failing = drive(strategy().start(problem(budget(), batchSize()), 5),
                a -> Evaluation.failed(a, "broken")).stream().flatMap(List::stream).toList();
        assertEquals(failing.size(), new HashSet<>(failing).size());
        assertTrue(failing.size() <= budget());
    }

    @Test
    void checksTheAskTellProtocol() {
        StrategyRun run = strategy().start(problem(budget(), batchSize()), 1);
        List<Architecture> batch = run.ask();
        assertThrows(IllegalStateException.class, run::ask);
        assertThrows(IllegalArgumentException.class, () -> run.tell(List.of()));
        run.tell(batch.stream().map(this::evaluate).toList());
        assertThrows(IllegalStateException.class, () -> run.tell(List.of()));
    }

    @Test
    void optionsRoundTripAndUnknownOnesFail() {
        SearchStrategy s = strategy();
        assertEquals(s.options(), s.withOptions(s.options()).options());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.withOptions(Map.of("no_such_option", 1)));
        assertTrue(e.getMessage().contains("no_such_option") && e.getMessage().contains(s.name()), e.getMessage());
    }

    /** All proposals of a run as a set. */
    protected static Set<Architecture> flatten(List<List<Architecture>> batches) {
        Set<Architecture> out = new HashSet<>();
        batches.forEach(out::addAll);
        return out;
    }
}
