package io.hwnas.experiments.exec;

import io.hwnas.core.arch.Architecture;
import io.hwnas.search.Evaluation;
import java.util.List;

/**
 * Evaluates the batches a strategy proposes: on local threads, or as Slurm job arrays. Results come
 * back in batch order whatever order they finish in, so a run is deterministic on any executor.
 */
public interface Executor extends AutoCloseable {

    /**
     * Evaluates one batch. A failing candidate becomes a FAILED evaluation; this never throws for
     * one candidate.
     *
     * @param batchIndex the batch's number in the run (0, 1, ...), stable across resumes
     * @param batch      the architectures
     * @param onResult   called once per evaluation as soon as it is known (journal, progress)
     * @return the evaluations in the order of {@code batch}
     */
    List<Evaluation> evaluate(int batchIndex, List<Architecture> batch, ResultListener onResult);

    @Override
    void close();

    /** Told of each evaluation when it is known, with the seconds it took. */
    @FunctionalInterface
    interface ResultListener {
        void accept(Evaluation evaluation, double seconds);
    }
}
