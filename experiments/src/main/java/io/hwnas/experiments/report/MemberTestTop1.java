package io.hwnas.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test top-1 of a Pareto member's deployed model: what {@code hwnas export RUN_DIR} measured in ONNX Runtime
 * on {@code model.onnx} over the dataset's whole test split, read from the record the export writes beside the
 * member's model card ({@code models/<device>/<k>/test-top1.json}, the export's {@code TestTop1File}). Unlike the
 * accuracy a search ranked its candidates by (a validation split, an estimator), it is measured the same way for
 * every run on one dataset, so the fronts of runs with other spaces or estimators compare on it.
 *
 * @param top1      percent of the test images classified correctly
 * @param testSplit the images it was measured on (dataset name and resolved directory, or seed)
 * @param file      the record it was read from
 */
public record MemberTestTop1(double top1, String testSplit, Path file) {

    /** The record's file name in a member's model directory. */
    static final String FILE = "test-top1.json";

    /** The exported float model whose top-1 is read. */
    static final String MODEL = "model.onnx";

    /**
     * The test top-1 of member {@code k} (1-based, in the order of {@code pareto/<device>.json}) of a run on a
     * device.
     *
     * @param arch the member's architecture in the Pareto file; the model directory and record must hold it
     * @throws IllegalArgumentException naming the file: the member has no model directory, it holds another
     *         architecture, or it has no test top-1 record of model.onnx (the run was not exported, or its members
     *         had no final training that recorded their inputs)
     */
    public static MemberTestTop1 read(Path run, String device, int k, String arch) {
        Path dir = run.resolve("models").resolve(device).resolve(Integer.toString(k));
        Path architecture = dir.resolve("architecture.json");
        Path file = dir.resolve(FILE);
        String member = "member " + k + " of " + run.resolve("pareto").resolve(device + ".json");
        if (!Files.isRegularFile(architecture)) {
            throw new IllegalArgumentException(dir + " has no architecture.json (" + member + "); `hwnas report "
                    + run + "` rewrites the model directories");
        }
        String held = tree(architecture).path("arch").asText();
        if (!arch.equals(held)) {
            throw new IllegalArgumentException(architecture + " holds " + held + ", but " + member + " is " + arch
                    + "; `hwnas report " + run + "` rewrites the model directories, then `hwnas export " + run
                    + " --format onnx`");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " has no " + FILE + " (no test top-1 of " + MODEL + "); `hwnas"
                    + " export " + run + " --format onnx` measures it for members whose final training recorded"
                    + " their inputs");
        }
        JsonNode root = tree(file);
        JsonNode top1 = root.path("models").path(MODEL).path("top1");
        if (!top1.isNumber() || !root.path("test_split").isTextual() || !arch.equals(root.path("arch").asText())) {
            throw new IllegalArgumentException(file + " is not the test top-1 record of " + member + " (" + arch
                    + "): it needs \"arch\" equal to it, text \"test_split\" and a number models." + MODEL
                    + ".top1; `hwnas export " + run + " --format onnx` rewrites it");
        }
        return new MemberTestTop1(top1.asDouble(), root.path("test_split").asText(), file);
    }

    /** The JSON in {@code file}, or an error naming it. */
    private static JsonNode tree(Path file) {
        try {
            return ReportData.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " as JSON: " + e.getMessage(), e);
        }
    }
}
