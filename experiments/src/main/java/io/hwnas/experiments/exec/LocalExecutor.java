package io.hwnas.experiments.exec;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.config.Problems;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.evaluate.Lineage;
import io.hwnas.search.Evaluation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Evaluates candidates on a fixed pool of local threads. */
public final class LocalExecutor implements Executor {

    private final CandidateEvaluator evaluator;
    private final Lineage lineage;
    private final ExecutorService pool;

    public LocalExecutor(CandidateEvaluator evaluator, int threads, Path runDir) {
        this.evaluator = evaluator;
        this.lineage = new Lineage(runDir, evaluator.space());
        this.pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "hwnas-eval");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public List<Evaluation> evaluate(int batchIndex, List<Architecture> batch, ResultListener onResult) {
        List<Future<Evaluation>> futures = new ArrayList<>(batch.size());
        for (Architecture a : batch) {
            futures.add(pool.submit(() -> {
                long t0 = System.nanoTime();
                Evaluation e = evaluator.evaluate(a, lineage);
                onResult.accept(e, (System.nanoTime() - t0) / 1e9);
                return e;
            }));
        }
        List<Evaluation> out = new ArrayList<>(batch.size());
        for (int i = 0; i < futures.size(); i++) {
            try {
                out.add(futures.get(i).get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while evaluating batch " + batchIndex, e);
            } catch (ExecutionException e) {
                // the evaluator never throws; a throwable here is an Error from the journal or progress
                throw new IllegalStateException("evaluation of " + batch.get(i) + " broke down", e.getCause());
            }
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** The {@code local} executor provider. */
    public static final class Provider implements ExecutorProvider {
        @Override
        public String name() {
            return "local";
        }

        /** The local executor has no options: each one given is reported as an unknown field. */
        @Override
        public Configured configure(ExperimentConfig.ExecutorSpec spec, String configFile) {
            Problems p = new Problems(configFile);
            for (String k : spec.options().keySet()) {
                p.unknownField("executor.options." + k, "no options: the local executor has none (its threads are "
                        + "executor.parallelism)");
            }
            p.throwIfAny();
            return (runDir, evaluator) -> new LocalExecutor(evaluator, spec.parallelism(), runDir);
        }
    }
}
