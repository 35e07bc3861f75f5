package io.hwnas.search.evolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyContract;
import io.hwnas.search.StrategyRun;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class Nsga2Test extends StrategyContract {

    @Override
    protected SearchStrategy strategy() {
        return new Nsga2();
    }

    @Test
    void oneGenerationIsOneBatchAndRepeatsComeFromTheCache() {
        StrategyRun run = strategy().start(problem(200, 3), 2);
        List<List<Architecture>> batches = drive(run, this::evaluate);
        assertEquals(40, batches.get(0).size(), "the first batch is the initial population (30 + 10)");
        assertTrue(batches.stream().skip(1).allMatch(b -> b.size() <= 10), "later batches are one generation");
        assertTrue(((Number) run.report().get("repeats_from_cache")).intValue() > 0,
                "children equal to told architectures are answered from the cache: " + run.report());
    }

    @Test
    void runsInParallelThreadsGiveTheSameProposalsAsAlone() throws Exception {
        List<List<Architecture>> alone = drive(strategy().start(problem(120, 5), 9), this::evaluate);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<List<Architecture>>> a = pool.submit(() -> drive(strategy().start(problem(120, 5), 9),
                    this::evaluate));
            Future<List<List<Architecture>>> b = pool.submit(() -> drive(strategy().start(problem(120, 5), 10),
                    this::evaluate));
            assertEquals(alone, a.get());
            b.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void constraintsSteerTheSearchToFeasibleArchitectures() {
        io.hwnas.search.SearchProblem base = problem(200, 10);
        io.hwnas.search.SearchProblem constrained = new io.hwnas.search.SearchProblem(base.space(), base.objectives(),
                List.of(new io.hwnas.search.Constraint("latency_ms@toy", 12)), 200, 10, base.oracle());
        StrategyRun run = strategy().start(constrained, 4);
        List<Architecture> all = drive(run, a -> {
            io.hwnas.search.Evaluation e = evaluate(a);
            return e.metric("latency_ms@toy") <= 12 ? e
                    : io.hwnas.search.Evaluation.infeasible(a, e.metrics(), "latency above 12");
        }).stream().flatMap(List::stream).toList();
        long firstFeasible = all.subList(0, 40).stream().filter(a -> evaluate(a).metric("latency_ms@toy") <= 12).count();
        long lastFeasible = all.subList(all.size() - 40, all.size()).stream()
                .filter(a -> evaluate(a).metric("latency_ms@toy") <= 12).count();
        assertTrue(lastFeasible > 3 * firstFeasible && lastFeasible >= 20,
                "feasible among the first 40: " + firstFeasible + ", among the last 40: " + lastFeasible);
    }
}
