package io.hwnas.experiments.exec;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.search.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An executor whose workers run elsewhere (Slurm tasks), for a run with devices measured from the search's own
 * process ({@link io.hwnas.experiments.evaluate.DeviceTarget#measuredByDriver}, a device behind an agent): the
 * workers evaluate accuracy and cost those devices with their model alone, and each result is completed here
 * ({@link CandidateEvaluator#complete}) before it is journaled, so the journal and the fronts are those of the
 * local executor. Results come in one at a time, so the device is measured one candidate at a time.
 */
public final class DriverCompletion implements Executor {

    private final Executor workers;
    private final CandidateEvaluator evaluator;

    private DriverCompletion(Executor workers, CandidateEvaluator evaluator) {
        this.workers = workers;
        this.evaluator = evaluator;
    }

    /**
     * {@code workers} itself when no device of the run is measured here (or there is no evaluator: a driver that
     * only collects the workers' results), else it with completion.
     */
    public static Executor wrap(Executor workers, CandidateEvaluator evaluator) {
        return evaluator != null && evaluator.measuresInDriver() ? new DriverCompletion(workers, evaluator) : workers;
    }

    @Override
    public List<Evaluation> evaluate(int batchIndex, List<Architecture> batch, ResultListener onResult) {
        Map<Architecture, Evaluation> completed = new ConcurrentHashMap<>();
        List<Evaluation> partial = workers.evaluate(batchIndex, batch, (e, seconds) -> {
            long t0 = System.nanoTime();
            Evaluation c = evaluator.complete(e);
            completed.put(e.architecture(), c);
            onResult.accept(c, seconds + (System.nanoTime() - t0) / 1e9);
        });
        List<Evaluation> out = new ArrayList<>(partial.size());
        for (Evaluation e : partial) {
            out.add(completed.computeIfAbsent(e.architecture(), a -> evaluator.complete(e)));
        }
        return out;
    }

    @Override
    public void close() {
        workers.close();
    }
}
