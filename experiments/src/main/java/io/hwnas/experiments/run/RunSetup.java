package io.hwnas.experiments.run;

import io.hwnas.cost.CostReport;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.config.Problems;
import io.hwnas.search.Constraint;
import io.hwnas.search.CostOracle;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A config bound to its plugins: the space, the accuracy estimator, the device targets, the
 * evaluator and the search problem. Binding problems (unknown device, bad calibration file, ...)
 * are reported all at once, before any work.
 */
public record RunSetup(ExperimentConfig config, SearchSpace space, AccuracyEstimator accuracy,
        AccuracyEstimator screen, List<DeviceTarget> devices, CandidateEvaluator evaluator, SearchProblem problem) {

    /** Turns a device section into a bound target, or throws IllegalArgumentException saying why not. */
    @FunctionalInterface
    public interface DeviceBinder {
        DeviceTarget bind(ExperimentConfig.DeviceSpec spec);
    }

    public static RunSetup bind(ExperimentConfig c, DeviceBinder binder) {
        Problems p = new Problems(c.file().toString());
        SearchSpace space = SearchSpaces.get(c.space().name(), c.space().options());
        Shape input = c.space().input() != null ? c.space().input() : space.defaultInput();
        int classes = c.space().classes() != null ? c.space().classes() : datasetClasses(c, space.defaultClasses());
        // the estimator and the screen score the network the devices cost: the run's input and classes
        AccuracyEstimator accuracy = AccuracyEstimators.get(c.accuracy().name(), accuracyOptions(c))
                .forNetwork(input, classes);
        List<DeviceTarget> devices = new ArrayList<>();
        for (int i = 0; i < c.devices().size(); i++) {
            try {
                DeviceTarget t = binder.bind(c.devices().get(i));
                devices.add(t);
                requireEnergy(c, i, t, p);
            } catch (IllegalArgumentException e) {
                p.at("devices[" + i + "]", e.getMessage());
            }
        }
        p.throwIfAny();
        Map<String, Map<String, Double>> constraints = new LinkedHashMap<>();
        for (ExperimentConfig.DeviceSpec d : c.devices()) {
            constraints.put(d.name(), d.constraints());
        }
        CandidateEvaluator evaluator =
                new CandidateEvaluator(space, accuracy, devices, constraints, input, classes, c.seed());
        List<Objective> objectives = new ArrayList<>();
        objectives.add(Objective.maximize("accuracy"));
        List<Constraint> hard = new ArrayList<>();
        for (ExperimentConfig.DeviceSpec d : c.devices()) {
            for (String m : c.objectives()) {
                objectives.add(Objective.minimize(ExperimentConfig.metric(m, d.name())));
            }
            hard.add(new Constraint(ExperimentConfig.metric("violations", d.name()), 0));
            d.constraints().forEach((m, max) -> hard.add(new Constraint(ExperimentConfig.metric(m, d.name()), max)));
        }
        CostOracle oracle = oracle(evaluator);
        SearchProblem problem = new SearchProblem(space, objectives, hard, c.budget(), c.strategy().batchSize(),
                oracle);
        AccuracyEstimator screen = c.screen() == null ? null
                : AccuracyEstimators.get(c.screen().proxy(), withDataset(c, c.screen().proxy(), c.screen().options()))
                        .forNetwork(input, classes);
        return new RunSetup(c, space, accuracy, screen, devices, evaluator, problem);
    }

    /** A device whose model cannot give energy cannot have energy minimised or bounded. */
    private static void requireEnergy(ExperimentConfig c, int i, DeviceTarget t, Problems p) {
        Optional<String> why = t.energyUnknown();
        if (why.isEmpty()) {
            return;
        }
        String name = c.devices().get(i).name();
        if (c.objectives().contains("energy_mj")) {
            p.at("objectives", "energy_mj cannot be minimised on device '" + name + "' (devices[" + i + "]), whose "
                    + "energy is unknown: " + why.get() + "; drop energy_mj from objectives or add the numbers");
        }
        if (c.devices().get(i).constraints().containsKey("energy_mj")) {
            p.at("devices[" + i + "].constraints.energy_mj", "device '" + name + "' has unknown energy: " + why.get());
        }
    }

    /** The classes of the config's dataset (Fashion-MNIST, CIFAR-10 and synthetic have 10); without one, the space's. */
    static int datasetClasses(ExperimentConfig c, int fallback) {
        Object name = c.dataset().get("name");
        return name != null && Datasets.NAMES.contains(name.toString()) ? Datasets.classes(name.toString()) : fallback;
    }

    /**
     * The accuracy options, with the config's {@code dataset} section (name, dir) handed to
     * estimators that read images (those with a {@code dir} option) unless their options set them.
     */
    static Map<String, Object> accuracyOptions(ExperimentConfig c) {
        return withDataset(c, c.accuracy().name(), c.accuracy().options());
    }

    static Map<String, Object> withDataset(ExperimentConfig c, String estimator, Map<String, Object> given) {
        Map<String, Object> options = new LinkedHashMap<>(given);
        Map<String, Object> defaults = AccuracyEstimators.registry().get(estimator).options();
        if (c.dataset().isEmpty() || !defaults.containsKey("dir")) {
            return options;
        }
        String nameKey = defaults.containsKey("dataset") ? "dataset" : "data";
        if (c.dataset().get("name") != null) {
            options.putIfAbsent(nameKey, c.dataset().get("name"));
        }
        if (c.dataset().get("dir") != null) {
            options.putIfAbsent("dir", c.dataset().get("dir"));
        }
        return options;
    }

    /** Cost predictions for strategies (NetAdapt): device metrics from the bound cost models. */
    private static CostOracle oracle(CandidateEvaluator evaluator) {
        return (metric, architecture) -> {
            int at = metric.indexOf('@');
            if (at < 0) {
                return OptionalDouble.empty();
            }
            String m = metric.substring(0, at);
            String device = metric.substring(at + 1);
            for (DeviceTarget d : evaluator.devices()) {
                if (d.name().equals(device)) {
                    CostReport cost = d.cost(architecture, evaluator.network(architecture));
                    switch (m) {
                        case "latency_ms":
                            return OptionalDouble.of(cost.latencyMs());
                        case "energy_mj":
                            return cost.energyKnown() ? OptionalDouble.of(cost.energyMj()) : OptionalDouble.empty();
                        case "peak_memory_bytes":
                            return OptionalDouble.of(cost.peakMemoryBytes());
                        case "model_bytes":
                            return OptionalDouble.of(cost.modelBytes());
                        default:
                            return OptionalDouble.empty();
                    }
                }
            }
            return OptionalDouble.empty();
        };
    }
}
