package io.hwnas.core.predictor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.io.Json;
import io.hwnas.core.io.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A fitted accuracy predictor on a fixed-length architecture encoding: an {@link Mlp} or {@link Ridge} model on a
 * standardised target (accuracy = mean + std x model output), saved as JSON with what it was fitted on.
 *
 * @param kind     {@code mlp} or {@code ridge}
 * @param features the encoding's length
 * @param mean     the mean of the fitted target
 * @param std      the standard deviation of the fitted target
 * @param mlp      the MLP, when kind is mlp
 * @param ridge    the ridge model, when kind is ridge
 * @param info     what it was fitted on (checkpoint hash, samples, held-out figures), kept in the file
 */
public record AccuracyPredictor(String kind, int features, double mean, double std, Mlp mlp, Ridge ridge,
        Map<String, Object> info) {

    /** The models there are. */
    public static final java.util.List<String> KINDS = java.util.List.of("mlp", "ridge");

    public AccuracyPredictor {
        info = Map.copyOf(info);
    }

    /**
     * Fits a predictor of {@code kind} ({@code mlp} with {@code training}, or {@code ridge} with penalty 1 on the
     * standardised target).
     */
    public static AccuracyPredictor fit(String kind, double[][] x, double[] y, Mlp.Training training) {
        double mean = org.apache.commons.math3.stat.StatUtils.mean(y);
        double std = Math.sqrt(org.apache.commons.math3.stat.StatUtils.populationVariance(y, mean));
        double scale = std > 1e-12 ? std : 1;
        double[] z = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            z[i] = (y[i] - mean) / scale;
        }
        return switch (kind) {
            case "mlp" -> new AccuracyPredictor(kind, x[0].length, mean, scale, Mlp.fit(x, z, training), null,
                    Map.of());
            case "ridge" -> new AccuracyPredictor(kind, x[0].length, mean, scale, null, Ridge.fit(x, z, 1.0),
                    Map.of());
            default -> throw new IllegalArgumentException("predictor model " + kind + " is not one of " + KINDS);
        };
    }

    /** A copy carrying {@code newInfo}. */
    public AccuracyPredictor withInfo(Map<String, Object> newInfo) {
        return new AccuracyPredictor(kind, features, mean, std, mlp, ridge, newInfo);
    }

    /** The predicted accuracy of an encoded architecture. */
    public double predict(double[] x) {
        if (x.length != features) {
            throw new IllegalArgumentException("the predictor takes " + features + " features, but was given "
                    + x.length);
        }
        return mean + std * (mlp != null ? mlp.predict(x) : ridge.predict(x));
    }

    /** Writes the predictor as JSON, atomically. */
    public void write(Path file) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("kind", kind);
        o.put("features", features);
        o.put("mean", mean);
        o.put("std", std);
        o.set("info", Json.MAPPER.valueToTree(new java.util.TreeMap<>(info)));
        if (mlp != null) {
            o.set("sizes", Json.MAPPER.valueToTree(mlp.sizes()));
            o.set("weights", Json.MAPPER.valueToTree(mlp.weights()));
            o.set("biases", Json.MAPPER.valueToTree(mlp.biases()));
        } else {
            o.set("weights", Json.MAPPER.valueToTree(ridge.weights()));
            o.put("intercept", ridge.intercept());
        }
        try {
            AtomicFiles.writeString(file, Json.MAPPER.writeValueAsString(o) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    /**
     * Reads a predictor written by {@link #write}.
     *
     * @throws IllegalArgumentException naming the file and what is wrong
     */
    public static AccuracyPredictor read(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": no such file; fit one with `hwnas supernet fit-predictor "
                    + "--checkpoint DIR`");
        }
        try {
            JsonNode n = StrictJson.read(file, "accuracy predictor");
            String kind = n.get("kind").asText();
            @SuppressWarnings("unchecked")
            Map<String, Object> info = Json.MAPPER.treeToValue(n.get("info"), Map.class);
            if (kind.equals("mlp")) {
                Mlp m = new Mlp(Json.MAPPER.treeToValue(n.get("sizes"), int[].class),
                        Json.MAPPER.treeToValue(n.get("weights"), double[][].class),
                        Json.MAPPER.treeToValue(n.get("biases"), double[][].class));
                return new AccuracyPredictor(kind, n.get("features").asInt(), n.get("mean").asDouble(),
                        n.get("std").asDouble(), m, null, info);
            }
            if (kind.equals("ridge")) {
                Ridge r = new Ridge(Json.MAPPER.treeToValue(n.get("weights"), double[].class),
                        n.get("intercept").asDouble());
                return new AccuracyPredictor(kind, n.get("features").asInt(), n.get("mean").asDouble(),
                        n.get("std").asDouble(), null, r, info);
            }
            throw new IllegalArgumentException("kind " + kind + " is not one of " + KINDS);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a predictor file (" + e.getMessage() + ")", e);
        }
    }

    /** Spearman's and Kendall's rank correlations of predictions and measurements (Commons Math). */
    public static double[] rankCorrelations(double[] predicted, double[] measured) {
        return new double[] {
            new org.apache.commons.math3.stat.correlation.SpearmansCorrelation().correlation(predicted, measured),
            new org.apache.commons.math3.stat.correlation.KendallsCorrelation().correlation(predicted, measured)};
    }
}
