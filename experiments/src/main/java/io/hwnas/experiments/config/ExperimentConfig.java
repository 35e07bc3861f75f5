package io.hwnas.experiments.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated experiment config: what to search, how to score it, on which devices, with which
 * strategy and budget, where to write the run. Relative paths are already resolved against the
 * config file's folder.
 *
 * @param file          the config file (for messages)
 * @param name          the run name
 * @param seed          the run seed
 * @param space         the search space section
 * @param dataset       the dataset section (options for estimators that read images), may be empty
 * @param accuracy      the accuracy estimator section
 * @param devices       the target devices, at least one
 * @param objectives    per-device metrics to minimise besides maximising accuracy
 * @param strategy      the strategy section
 * @param budget        the number of evaluations
 * @param executor      the executor section
 * @param output        the run directory
 * @param finalTraining options of the final training of Pareto members; empty when off
 * @param screen        proxy screening before the accuracy estimator, or null
 * @param fidelity      multi-fidelity training of the {@code train} estimator, or null
 */
public record ExperimentConfig(Path file, String name, long seed, SpaceSpec space, Map<String, Object> dataset,
        Plugin accuracy, List<DeviceSpec> devices, List<String> objectives, Strategy strategy, int budget,
        ExecutorSpec executor, Path output, Map<String, Object> finalTraining, Screen screen,
        Fidelity fidelity) {

    /** The metrics a device objective or constraint may name. */
    public static final List<String> DEVICE_METRICS = io.hwnas.cost.Metric.keys();

    public ExperimentConfig {
        Objects.requireNonNull(file, "file");
        dataset = frozen(dataset);
        devices = List.copyOf(devices);
        objectives = List.copyOf(objectives);
        finalTraining = frozen(finalTraining);
    }

    /** This config with another evaluation budget. */
    public ExperimentConfig withBudget(int newBudget) {
        return new ExperimentConfig(file, name, seed, space, dataset, accuracy, devices, objectives, strategy, newBudget,
                executor, output, finalTraining, screen, fidelity);
    }

    /** This config writing its run directory elsewhere. */
    public ExperimentConfig withOutput(Path newOutput) {
        return new ExperimentConfig(file, name, seed, space, dataset, accuracy, devices, objectives, strategy, budget,
                executor, newOutput, finalTraining, screen, fidelity);
    }

    /** This config on another executor (its options are kept only when the executor is the same). */
    public ExperimentConfig withExecutor(String executorName) {
        var e = new ExecutorSpec(executorName, executor.parallelism(),
                executorName.equals(executor.name()) ? executor.options() : Map.of());
        return new ExperimentConfig(file, name, seed, space, dataset, accuracy, devices, objectives, strategy, budget,
                e, output, finalTraining, screen, fidelity);
    }

    /**
     * The search space with its options, and the network input and class count (null: the space's
     * defaults, or the dataset's class count).
     */
    public record SpaceSpec(String name, Map<String, Object> options, io.hwnas.core.ir.Shape input, Integer classes) {
        public SpaceSpec {
            options = frozen(options);
        }
    }

    /** A plugin by name with its options (the accuracy estimator). */
    public record Plugin(String name, Map<String, Object> options) {
        public Plugin {
            options = frozen(options);
        }
    }

    /**
     * Proxy screening: in every batch, a zero-cost proxy scores all candidates and only the best
     * {@code keep} share goes on to the (expensive) accuracy estimator; the rest are recorded as
     * failed with the reason.
     */
    public record Screen(String proxy, Map<String, Object> options, double keep) {
        public Screen {
            options = frozen(options);
            if (!(keep > 0 && keep <= 1)) {
                throw new IllegalArgumentException("screen.keep must be in (0, 1], but was " + keep);
            }
        }
    }

    /**
     * Multi-fidelity training ({@code accuracy.fidelity}): each batch is trained in rungs of
     * {@code minSteps}, {@code minSteps * eta}, ... up to {@code maxSteps}, only the best {@code 1/eta}
     * going on to the next rung ({@code successive-halving}), or with batches cycling through
     * brackets that start at later rungs ({@code hyperband}).
     */
    public record Fidelity(String schedule, int minSteps, int maxSteps, int eta) {
        /** The allowed schedules. */
        public static final List<String> SCHEDULES = List.of("successive-halving", "hyperband");

        public Fidelity {
            if (!SCHEDULES.contains(schedule) || minSteps < 1 || maxSteps <= minSteps || eta < 2) {
                throw new IllegalArgumentException("fidelity: schedule " + schedule + " in " + SCHEDULES
                        + ", min_steps " + minSteps + " >= 1, max_steps " + maxSteps + " > min_steps, eta " + eta
                        + " >= 2");
            }
        }
    }

    /** The strategy with its options and the batch size it proposes. */
    public record Strategy(String name, Map<String, Object> options, int batchSize) {
        public Strategy {
            options = frozen(options);
        }
    }

    /** The executor: local threads or Slurm, with its parallelism and options. */
    public record ExecutorSpec(String name, int parallelism, Map<String, Object> options) {
        public ExecutorSpec {
            options = frozen(options);
        }
    }

    /**
     * One target device.
     *
     * @param name        the name used in metrics and file names (e.g. {@code raspi4})
     * @param profile     a catalog name or a profile file path
     * @param model       the cost model name, or null for the profile's default
     * @param batch       the batch size to cost at
     * @param calibration a calibration file, or null
     * @param constraints metric to upper bound (hard constraints)
     */
    public record DeviceSpec(String name, String profile, String model, int batch, Path calibration,
            Map<String, Double> constraints, Agent agent) {
        public DeviceSpec {
            constraints = frozen(constraints);
        }

        /** A device without an agent. */
        public DeviceSpec(String name, String profile, String model, int batch, Path calibration,
                Map<String, Double> constraints) {
            this(name, profile, model, batch, calibration, constraints, null);
        }
    }

    /**
     * A device's {@code agent} section: candidates measured on a device through {@code hwnas agent}.
     *
     * @param url            the agent's address, {@code http://HOST:PORT}
     * @param tokenFile      the file holding the agent's token
     * @param calibrateAfter measure the first N asked candidates, then predict with the model calibrated on them;
     *                       null: measure every candidate
     * @param retrySeconds   how long a measurement waits for a lost agent before its evaluation fails
     * @param warmup         warm-up runs per measurement
     * @param runs           timed runs per measurement
     * @param latency        the statistic used: median, p10 or cpu
     * @param energy         where energy comes from: {@code model} (the device's model, static power over the
     *                       latency used) or {@code measured} (the agent's energy counter for measured candidates)
     */
    public record Agent(String url, Path tokenFile, Integer calibrateAfter, int retrySeconds, int warmup, int runs,
            String latency, String energy) {
        /** The latency statistics an agent device may use. */
        public static final List<String> STATISTICS = List.of("median", "p10", "cpu");
        /** Where an agent device's energy may come from. */
        public static final List<String> ENERGY = List.of("model", "measured");

        /** True when measured candidates take their energy from the agent's counter. */
        public boolean measuresEnergy() {
            return "measured".equals(energy);
        }
    }

    /** An unmodifiable copy that keeps the order (and allows null option values). */
    static <K, V> Map<K, V> frozen(Map<K, V> m) {
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
    }
}
