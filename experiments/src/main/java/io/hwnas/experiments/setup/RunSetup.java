package io.hwnas.experiments.setup;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.config.Problems;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.exec.ExecutorProvider;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A config bound to its plugins, each built once: the space, the accuracy estimator and screen,
 * the device targets, the evaluator, the search problem, the strategy, the executor and the final
 * training. Every problem of the config, its plugins' names and options and its devices is
 * reported at once, before any work.
 *
 * @param finalTraining the {@code train} estimator of the config's final training, or null when off
 */
public record RunSetup(ExperimentConfig config, SearchSpace space, AccuracyEstimator accuracy,
        AccuracyEstimator screen, List<DeviceTarget> devices, CandidateEvaluator evaluator, SearchProblem problem,
        SearchStrategy strategy, ExecutorProvider.Configured executor, AccuracyEstimator finalTraining) {

    public RunSetup {
        devices = List.copyOf(devices);
    }

    /**
     * Reads a config file and binds it.
     *
     * @throws io.hwnas.experiments.config.ConfigException listing every problem of the file
     */
    public static RunSetup load(Path file, DeviceBinding devices) {
        Problems p = new Problems(file.toString());
        ExperimentConfig c = ConfigLoader.read(file, p);
        return bind(c, devices, p);
    }

    /**
     * Binds a config already read (and perhaps changed on the command line).
     *
     * @throws io.hwnas.experiments.config.ConfigException listing every binding problem
     */
    public static RunSetup bind(ExperimentConfig c, DeviceBinding devices) {
        return bind(c, devices, new Problems(c.file().toString()));
    }

    /**
     * Binds {@code c}, adding its problems to those {@code p} holds (from reading the file), and
     * throws them all if there are any.
     *
     * @throws io.hwnas.experiments.config.ConfigException listing every problem
     */
    public static RunSetup bind(ExperimentConfig c, DeviceBinding devices, Problems p) {
        RunSetup s = new Binder(c, devices, p).bind();
        p.throwIfAny();
        return s;
    }

    /**
     * The accuracy estimator {@code name} with {@code options} as this run binds its own: handed the
     * config's dataset when it reads images, and scoring the network the devices cost (the run's
     * input and classes).
     *
     * @throws IllegalArgumentException for a bad name or option
     */
    public AccuracyEstimator estimator(String name, Map<String, Object> options) {
        return AccuracyEstimators.get(name, Binder.withDataset(config, name, options))
                .forNetwork(evaluator.input(), evaluator.classes());
    }
}
