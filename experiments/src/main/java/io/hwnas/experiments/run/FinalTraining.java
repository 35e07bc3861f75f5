package io.hwnas.experiments.run;

import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.core.train.TrainResult;
import io.hwnas.search.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The final training of the Pareto members (the config's {@code final_training} section: the
 * {@code train} estimator's options, the dataset from the config's {@code dataset} section). Each
 * architecture is trained once, whatever number of devices keep it, seeded by the architecture.
 */
final class FinalTraining {

    static final String WEIGHTS = "weights.params";

    /** One trained member: where its weights are and what training reported. */
    record Trained(Path weights, TrainResult result) {
    }

    private FinalTraining() {
    }

    /** Trains every architecture of the fronts into {@code dir/trained/}; empty when the config asks for none. */
    static Map<String, Trained> run(RunSetup setup, Path dir, Map<String, List<Evaluation>> fronts) {
        Map<String, Trained> out = new LinkedHashMap<>();
        if (setup.config().finalTraining().isEmpty()) {
            return out;
        }
        TrainEstimator trainer = (TrainEstimator) AccuracyEstimators.get("train",
                RunSetup.withDataset(setup.config(), "train", setup.config().finalTraining()))
                .forNetwork(setup.evaluator().input(), setup.evaluator().classes());
        try {
            Path trained = Files.createDirectories(dir.resolve("trained"));
            for (List<Evaluation> front : fronts.values()) {
                for (Evaluation e : front) {
                    Architecture a = e.architecture();
                    if (out.containsKey(a.canonical())) {
                        continue;
                    }
                    Path weights = trained.resolve(Integer.toHexString(a.canonical().hashCode()) + "-"
                            + out.size() + ".params");
                    TrainResult r = trainer.train(setup.space(), a, setup.evaluator().seedFor(a), weights);
                    out.put(a.canonical(), new Trained(weights, r));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write trained weights under " + dir, e);
        }
        return out;
    }
}
