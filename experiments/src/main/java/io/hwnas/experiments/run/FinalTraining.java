package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.RunSetup;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.core.train.TrainResult;
import io.hwnas.experiments.export.InputNormalisation;
import io.hwnas.experiments.setup.FinalTrainingSource;
import io.hwnas.search.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The final training of the Pareto members (the config's {@code final_training} section: the
 * {@code train} estimator's options, the dataset from the config's {@code dataset} section). Each
 * architecture is trained once, whatever number of devices keep it, seeded by the architecture.
 * Each member's weights ({@code trained/<key>.params}) and then its result ({@code trained/<key>.json})
 * are written atomically, so a member whose result file exists is finished: a run killed during final
 * training and resumed trains only the members not finished yet.
 */
final class FinalTraining {

    static final String WEIGHTS = "weights.params";
    static final String DIR = "trained";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One trained member: where its weights are, what training reported, and where it started (null: scratch). */
    record Trained(Path weights, TrainResult result, String from) {

        Trained(Path weights, TrainResult result) {
            this(weights, result, null);
        }
    }

    /** Trains one architecture, writing its weights to the given file (the run's {@code train} estimator). */
    @FunctionalInterface
    interface Trainer {
        TrainResult train(Architecture a, long seed, Path weights);
    }

    private FinalTraining() {
    }

    /** The {@code train} estimator with the config's {@code final_training} options, as a trainer. */
    static Trainer trainer(RunSetup setup) {
        TrainEstimator t = (TrainEstimator) setup.finalTraining();
        if (FinalTrainingSource.of(setup.config()).fromSupernet()) {
            return SupernetFinalTraining.of(setup, t.trainOptions());
        }
        return (a, seed, weights) -> {
            InputNormalisation.of(t, t.network(setup.space(), a).inputShape()).write(InputNormalisation.beside(weights));
            return t.train(setup.space(), a, seed, weights);
        };
    }

    /** Trains every architecture of the fronts not finished before; empty when the config asks for none. */
    static Map<String, Trained> run(RunSetup setup, Path dir, Map<String, List<Evaluation>> fronts, Trainer given) {
        Map<String, Trained> out = new LinkedHashMap<>();
        if (setup.config().finalTraining().isEmpty()) {
            return out;
        }
        Trainer trainer = given instanceof SupernetFinalTraining s && s.members() > 0
                ? s.limitedTo(mostAccurate(fronts, s.members())) : given;
        for (List<Evaluation> front : fronts.values()) {
            for (Evaluation e : front) {
                Architecture a = e.architecture();
                if (out.containsKey(a.canonical())) {
                    continue;
                }
                Trained t = finished(dir, a);
                if (t == null) {
                    Path weights = weightsFile(dir, a);
                    TrainResult r = trainer.train(a, setup.evaluator().seedFor(a), weights);
                    String from = trainer instanceof SupernetFinalTraining s ? s.origin(a) : null;
                    writeResult(resultFile(dir, a), r, from);
                    t = new Trained(weights, r, from);
                }
                out.put(a.canonical(), t);
            }
        }
        return out;
    }

    /**
     * The architectures among the {@code k} most accurate members of any front (accuracy descending, ties by the
     * architecture string, so the choice does not depend on the fronts' order).
     */
    static Set<String> mostAccurate(Map<String, List<Evaluation>> fronts, int k) {
        Set<String> out = new TreeSet<>();
        for (List<Evaluation> front : fronts.values()) {
            front.stream().sorted(Comparator.comparingDouble((Evaluation e) -> -e.metric("accuracy"))
                    .thenComparing(e -> e.architecture().canonical())).limit(k)
                    .forEach(e -> out.add(e.architecture().canonical()));
        }
        return out;
    }

    /** The members of the fronts whose final training finished (in an earlier attempt too). */
    static Map<String, Trained> finished(Path dir, Map<String, List<Evaluation>> fronts) {
        Map<String, Trained> out = new LinkedHashMap<>();
        for (List<Evaluation> front : fronts.values()) {
            for (Evaluation e : front) {
                Trained t = finished(dir, e.architecture());
                if (t != null) {
                    out.putIfAbsent(e.architecture().canonical(), t);
                }
            }
        }
        return out;
    }

    /** The member's training when both its weights and its result file are on disk, else null. */
    static Trained finished(Path dir, Architecture a) {
        Path weights = weightsFile(dir, a);
        Path result = resultFile(dir, a);
        if (!Files.isRegularFile(result) || !Files.isRegularFile(weights)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode)
                    JSON.readTree(result.toFile());
            com.fasterxml.jackson.databind.JsonNode from = o.remove("from");
            return new Trained(weights, JSON.treeToValue(o, TrainResult.class), from == null ? null : from.asText());
        } catch (IOException | ClassCastException e) {
            return null; // unreadable: train again, the atomic writes replace both files
        }
    }

    /** A file name per architecture that does not depend on the order of the fronts. */
    static String key(Architecture a) {
        return a.fileKey();
    }

    static Path weightsFile(Path dir, Architecture a) {
        return dir.resolve(DIR).resolve(key(a) + ".params");
    }

    static Path resultFile(Path dir, Architecture a) {
        return dir.resolve(DIR).resolve(key(a) + ".json");
    }

    private static void writeResult(Path file, TrainResult r, String from) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode o = JSON.valueToTree(r);
            if (from != null) {
                o.put("from", from);
            }
            AtomicFiles.writeString(file, JSON.writeValueAsString(o));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
