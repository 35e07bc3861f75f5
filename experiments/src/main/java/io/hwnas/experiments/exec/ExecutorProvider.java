package io.hwnas.experiments.exec;

import io.hwnas.core.plugin.Named;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.run.CandidateEvaluator;
import java.nio.file.Path;

/** Creates executors of one kind; found by name ({@code local}, {@code slurm}) with {@link Executors}. */
public interface ExecutorProvider extends Named {

    /**
     * An executor for a run.
     *
     * @param spec      the config's executor section
     * @param runDir    the run directory (on a shared filesystem for cluster executors)
     * @param evaluator the run's evaluator, for executors that evaluate in this process
     */
    Executor create(ExperimentConfig.ExecutorSpec spec, Path runDir, CandidateEvaluator evaluator);
}
