package io.hwnas.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test top-1 of a Pareto member's deployed model: what {@code hwnas export RUN_DIR} measured in ONNX Runtime
 * on {@code model.onnx} over the dataset's whole test split and wrote into the member's model card
 * ({@code models/<device>/<k>/model-card.md}). Unlike the accuracy a search ranked its candidates by (a validation
 * split, an estimator), it is measured the same way for every run on one dataset, so the fronts of runs with other
 * spaces or estimators compare on it.
 */
public final class MemberTestTop1 {

    /** The model card line's start, as the export writes it for the float model. */
    private static final Pattern LINE = Pattern.compile(
            "^- test top-1 of model\\.onnx in ONNX Runtime: ([0-9]+(?:\\.[0-9]+)?)% \\(", Pattern.MULTILINE);

    private MemberTestTop1() {
    }

    /**
     * The test top-1 (percent) of member {@code k} (1-based, in the order of {@code pareto/<device>.json}) of a
     * run on a device.
     *
     * @param arch the member's architecture in the Pareto file; the model directory must hold it
     * @throws IllegalArgumentException naming the file: the member has no model directory, it holds another
     *         architecture, or its card has no test top-1 (the run was not exported, or its members had no final
     *         training that recorded their inputs)
     */
    public static double read(Path run, String device, int k, String arch) {
        Path dir = run.resolve("models").resolve(device).resolve(Integer.toString(k));
        Path architecture = dir.resolve("architecture.json");
        Path card = dir.resolve("model-card.md");
        try {
            if (!Files.isRegularFile(architecture) || !Files.isRegularFile(card)) {
                throw new IllegalArgumentException(dir + " has no architecture.json or model-card.md (member " + k
                        + " of " + run.resolve("pareto").resolve(device + ".json") + "); `hwnas report " + run
                        + "` rewrites the model directories");
            }
            JsonNode a = ReportData.JSON.readTree(architecture.toFile()).path("arch");
            if (!arch.equals(a.asText())) {
                throw new IllegalArgumentException(architecture + " holds " + a.asText() + ", but member " + k + " of "
                        + run.resolve("pareto").resolve(device + ".json") + " is " + arch + "; `hwnas report " + run
                        + "` rewrites the model directories, then `hwnas export " + run + " --format onnx`");
            }
            Matcher m = LINE.matcher(Files.readString(card));
            if (!m.find()) {
                throw new IllegalArgumentException(card + " has no test top-1 of model.onnx; `hwnas export " + run
                        + " --format onnx` measures it for members whose final training recorded their inputs");
            }
            return Double.parseDouble(m.group(1));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }
}
