package io.hwnas.experiments.setup;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.DeviceMetric;
import io.hwnas.cost.Metric;
import io.hwnas.experiments.config.ConfigException;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.config.Problems;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.exec.ExecutorPlugins;
import io.hwnas.experiments.exec.ExecutorProvider;
import io.hwnas.search.Constraint;
import io.hwnas.search.CostOracle;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategies;
import io.hwnas.search.SearchStrategy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Binds one config: builds each plugin once, collecting every problem. */
final class Binder {

    private final ExperimentConfig c;
    private final DeviceBinding deviceBinding;
    private final Problems p;

    Binder(ExperimentConfig c, DeviceBinding deviceBinding, Problems p) {
        this.c = c;
        this.deviceBinding = deviceBinding;
        this.p = p;
    }

    /** The bound run, or null when there are problems (then in {@code p}). */
    RunSetup bind() {
        SearchSpace space = space();
        AccuracyEstimator accuracy = estimator("accuracy", c.accuracy(), Map.of());
        AccuracyEstimator screen = c.screen() == null ? null : estimator("accuracy.screen",
                new ExperimentConfig.Plugin(c.screen().proxy(), c.screen().options()), Map.of("name", "proxy"));
        List<DeviceTarget> devices = devices(space);
        SearchStrategy strategy = strategy();
        if (strategy != null && space != null) {
            try {
                strategy.check(space);
            } catch (IllegalArgumentException e) {
                p.at("strategy.options", e.getMessage());
            }
        }
        ExecutorProvider.Configured executor = executor();
        AccuracyEstimator finalTraining = c.finalTraining().isEmpty() || !AccuracyEstimators.registry().contains("train")
                ? null : PluginBinding.build("final_training", FinalTrainingSource.trainOptions(c.finalTraining()),
                        o -> AccuracyEstimators.get("train", withDataset(c, "train", o)), p);
        Shape input = space == null ? null : c.space().input() != null ? c.space().input() : space.defaultInput();
        int classes = space == null ? 0
                : c.space().classes() != null ? c.space().classes() : datasetClasses(space.defaultClasses());
        FinalTrainingSource.check(c, space, input, classes, p);
        accuracy = forRun("accuracy", accuracy, space, input, classes);
        screen = forRun("accuracy.screen", screen, space, input, classes);
        finalTraining = forRun("final_training", finalTraining, space, input, classes);
        if (!p.isEmpty()) {
            return null;
        }
        Map<String, Map<String, Double>> constraints = new LinkedHashMap<>();
        for (ExperimentConfig.DeviceSpec d : c.devices()) {
            constraints.put(d.name(), d.constraints());
        }
        CandidateEvaluator evaluator =
                new CandidateEvaluator(space, accuracy, devices, constraints, input, classes, c.seed());
        return new RunSetup(c, space, accuracy, screen, devices, evaluator, problem(space, evaluator), strategy,
                executor, finalTraining);
    }

    /**
     * {@code e} scoring the network the devices cost (the run's input and classes) and checked against the
     * run's space: a table of another space, or a supernet checkpoint of another space or network, is a
     * problem at {@code path}.
     */
    private AccuracyEstimator forRun(String path, AccuracyEstimator e, SearchSpace space, Shape input, int classes) {
        if (e == null || space == null) {
            return e;
        }
        try {
            return e.forNetwork(input, classes).forSpace(space);
        } catch (IllegalArgumentException x) {
            p.at(path, x.getMessage());
            return null;
        }
    }

    private SearchSpace space() {
        ExperimentConfig.SpaceSpec s = c.space();
        if (s == null || !PluginBinding.known("space.name", s.name(), SearchSpaces.registry(), p)) {
            return null;
        }
        return PluginBinding.build("space.options", s.options(), o -> io.hwnas.core.space.compress.CompressedSpaces.get(s.name(), o), p);
    }

    /**
     * An accuracy estimator or proxy of section {@code path}; {@code fields} renames the section's
     * name field when it is not {@code name}.
     */
    private AccuracyEstimator estimator(String path, ExperimentConfig.Plugin plugin, Map<String, String> fields) {
        if (plugin == null || !PluginBinding.known(path + "." + fields.getOrDefault("name", "name"), plugin.name(),
                AccuracyEstimators.registry(), p)) {
            return null;
        }
        return PluginBinding.build(path + ".options", plugin.options(),
                o -> AccuracyEstimators.get(plugin.name(), withDataset(c, plugin.name(), o)), p);
    }

    /** The bound devices; each is asked whether its cost model can cost the space's architectures. */
    private List<DeviceTarget> devices(SearchSpace space) {
        List<DeviceTarget> out = new ArrayList<>();
        for (int i = 0; i < c.devices().size(); i++) {
            ExperimentConfig.DeviceSpec d = c.devices().get(i);
            if (d.name() == null || d.profile() == null) {
                continue; // reported when the config was read
            }
            try {
                DeviceTarget t = deviceBinding.bind(d);
                out.add(t);
                requireEnergy(i, t);
                for (String why : space == null ? List.<String>of() : t.check(space.name())) {
                    p.at("devices[" + i + "]", why);
                }
            } catch (IllegalArgumentException e) {
                p.at("devices[" + i + "]", e.getMessage());
            }
        }
        return out;
    }

    /** A device whose model cannot give energy cannot have energy minimised or bounded. */
    private void requireEnergy(int i, DeviceTarget t) {
        Optional<String> why = t.energyUnknown();
        if (why.isEmpty()) {
            return;
        }
        String name = c.devices().get(i).name();
        String energy = Metric.ENERGY_MJ.key();
        if (c.objectives().contains(energy)) {
            p.at("objectives", energy + " cannot be minimised on device '" + name + "' (devices[" + i + "]), whose "
                    + "energy is unknown: " + why.get() + "; drop " + energy + " from objectives or add the numbers");
        }
        if (c.devices().get(i).constraints().containsKey(energy)) {
            p.at("devices[" + i + "].constraints." + energy, "device '" + name + "' has unknown energy: " + why.get());
        }
    }

    private SearchStrategy strategy() {
        ExperimentConfig.Strategy s = c.strategy();
        if (!PluginBinding.known("strategy.name", s.name(), SearchStrategies.registry(), p)) {
            return null;
        }
        return PluginBinding.build("strategy.options", s.options(), o -> SearchStrategies.get(s.name(), o), p);
    }

    private ExecutorProvider.Configured executor() {
        ExperimentConfig.ExecutorSpec e = c.executor();
        if (!PluginBinding.known("executor.name", e.name(), ExecutorPlugins.registry(), p)) {
            return null;
        }
        try {
            return ExecutorPlugins.registry().get(e.name()).configure(e, c.file().toString());
        } catch (ConfigException x) {
            p.addAll(x.problems());
            return null;
        }
    }

    private SearchProblem problem(SearchSpace space, CandidateEvaluator evaluator) {
        List<Objective> objectives = new ArrayList<>();
        objectives.add(Objective.maximize("accuracy"));
        List<Constraint> hard = new ArrayList<>();
        for (ExperimentConfig.DeviceSpec d : c.devices()) {
            for (String m : c.objectives()) {
                objectives.add(Objective.minimize(new DeviceMetric(Metric.of(m), d.name()).toString()));
            }
            hard.add(new Constraint(DeviceMetric.violations(d.name()), 0));
            d.constraints().forEach((m, max) ->
                    hard.add(new Constraint(new DeviceMetric(Metric.of(m), d.name()).toString(), max)));
        }
        return new SearchProblem(space, objectives, hard, c.budget(), c.strategy().batchSize(), oracle(evaluator));
    }

    /** The classes of the config's dataset (Fashion-MNIST, CIFAR-10 and synthetic have 10); without one, the space's. */
    private int datasetClasses(int fallback) {
        Object name = c.dataset().get("name");
        return name != null && Datasets.NAMES.contains(name.toString()) ? Datasets.classes(name.toString()) : fallback;
    }

    /**
     * {@code given} options of estimator {@code estimator}, with the config's {@code dataset} section
     * (name, dir) handed to estimators that read images (those with a {@code dir} option) unless the
     * options set them, or name a supernet {@code checkpoint}, whose own split the estimator then reads.
     */
    static Map<String, Object> withDataset(ExperimentConfig c, String estimator, Map<String, Object> given) {
        Map<String, Object> options = new LinkedHashMap<>(given);
        Map<String, Object> defaults = AccuracyEstimators.registry().get(estimator).options();
        if (c.dataset().isEmpty() || !defaults.containsKey("dir") || given.get("checkpoint") != null
                && !given.get("checkpoint").toString().isEmpty()) {
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

    /** Cost predictions for strategies (NetAdapt): device metrics from the bound cost models' tables. */
    private static CostOracle oracle(CandidateEvaluator evaluator) {
        return new TableOracle(evaluator);
    }
}
