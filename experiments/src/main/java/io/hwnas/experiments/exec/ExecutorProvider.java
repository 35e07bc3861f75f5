package io.hwnas.experiments.exec;

import io.hwnas.core.plugin.Named;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import java.nio.file.Path;

/**
 * Executors of one kind; found by name ({@code local}, {@code slurm}) with {@link ExecutorPlugins}.
 * A run's setup configures its provider once, when the config is bound; the run creates its
 * executor from that.
 */
public interface ExecutorProvider extends Named {

    /**
     * Checks the config's executor section and returns what creates the run's executor.
     *
     * @param spec       the config's executor section
     * @param configFile the config file, named in problems
     * @throws io.hwnas.experiments.config.ConfigException listing every bad option
     */
    Configured configure(ExperimentConfig.ExecutorSpec spec, String configFile);

    /** An executor section that passed its checks. */
    @FunctionalInterface
    interface Configured {
        /**
         * An executor for a run.
         *
         * @param runDir    the run directory (on a shared filesystem for cluster executors)
         * @param evaluator the run's evaluator, for executors that evaluate in this process
         */
        Executor create(Path runDir, CandidateEvaluator evaluator);
    }
}
