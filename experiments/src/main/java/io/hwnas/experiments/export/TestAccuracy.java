package io.hwnas.experiments.export;

import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Shape;
import io.hwnas.experiments.export.graph.Logits;
import io.hwnas.experiments.export.graph.OrtModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A model's top-1 on its dataset's test split, run in ONNX Runtime on the exported file: every test image, in
 * order, made into an input exactly as training made its inputs ({@link InputNormalisation}).
 *
 * @param top1           percent of the test images whose largest logit is their label
 * @param correct        images classified correctly
 * @param images         images counted (the whole test split)
 * @param seconds        wall time of the ONNX Runtime runs
 * @param ortDefaultTop1 for a mixed-precision QDQ model, measured as written ({@link #measureQdq}): the top-1 with
 *                       ONNX Runtime's default QDQ transformations instead; NaN otherwise
 */
public record TestAccuracy(double top1, int correct, int images, double seconds, double ortDefaultTop1) {

    /** Images per ONNX Runtime call. */
    static final int BATCH = 100;

    /** Measures {@code model} (serialised ONNX bytes) on the test split that {@code input} names. */
    public static TestAccuracy measure(byte[] model, InputNormalisation input) {
        long start = System.nanoTime();
        int correct = correct(model, input, false);
        int n = input.testImages().size();
        return new TestAccuracy(100.0 * correct / n, correct, n, (System.nanoTime() - start) / 1e9, Double.NaN);
    }

    /**
     * Measures a mixed-precision QDQ model as written ({@code session.disable_quant_qdq}: the arithmetic its
     * QuantizeLinear/DequantizeLinear nodes state, which quantisation-aware training and the export's check follow),
     * and again with ONNX Runtime's default options, whose QDQ transformations quantise the float biases and fuse
     * integer kernels ({@link #ortDefaultTop1}).
     */
    public static TestAccuracy measureQdq(byte[] model, InputNormalisation input) {
        long start = System.nanoTime();
        int correct = correct(model, input, true);
        int n = input.testImages().size();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new TestAccuracy(100.0 * correct / n, correct, n, seconds, 100.0 * correct(model, input, false) / n);
    }

    private static int correct(byte[] model, InputNormalisation input, boolean asWritten) {
        ImageDataset test = input.testImages();
        ImageBatcher batcher = input.batcher();
        Shape t = batcher.target();
        int[] order = new int[test.size()];
        java.util.Arrays.setAll(order, i -> i);
        int correct = 0;
        try (OrtModel ort = new OrtModel(model, 1, true, asWritten)) {
            for (int from = 0; from < order.length; from += BATCH) {
                int to = Math.min(order.length, from + BATCH);
                float[] logits = ort.run(batcher.fill(test, order, from, to),
                        new long[] {to - from, t.channels(), t.height(), t.width()});
                int classes = logits.length / (to - from);
                for (int j = 0; j < to - from; j++) {
                    correct += Logits.argmax(logits, j, classes) == test.label(from + j) ? 1 : 0;
                }
            }
        }
        return correct;
    }

    /**
     * A single export's test top-1 and the inputs it was measured on.
     *
     * @param accuracy the top-1
     * @param input    the record of how training made its inputs
     */
    public record Measured(TestAccuracy accuracy, InputNormalisation input) {
    }

    /**
     * The test top-1 of the model in {@code model} when the weights it was exported from were saved with their input
     * normalisation ({@link InputNormalisation#beside}: {@code hwnas train --save} writes it); null without weights or
     * without a record.
     *
     * @param input the input shape of the exported network
     * @param qdq   whether the model is a mixed-precision QDQ model ({@link #measureQdq})
     * @throws IllegalArgumentException naming the record when it is for another input shape, or is not a record
     */
    public static Measured besideWeights(Path weights, Path model, Shape input, boolean qdq) {
        InputNormalisation in = weights == null ? null : InputNormalisation.read(InputNormalisation.beside(weights));
        if (in == null) {
            return null;
        }
        if (!in.target().equals(input.toString())) {
            throw new IllegalArgumentException(InputNormalisation.beside(weights) + ": inputs of " + in.target()
                    + ", but the exported network takes " + input);
        }
        try {
            byte[] bytes = Files.readAllBytes(model);
            return new Measured(qdq ? measureQdq(bytes, in) : measure(bytes, in), in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + model, e);
        }
    }

    /** The model card's line for the model in {@code file}. */
    public String cardLine(String file, InputNormalisation input) {
        return String.format(Locale.ROOT, "- test top-1 of %s in ONNX Runtime: %.2f%% (%,d of %,d)%s: the whole test "
                + "split of %s, in order; inputs as in training: %s%n", file, top1, correct, images, Double.isNaN(
                        ortDefaultTop1) ? "" : String.format(Locale.ROOT, ", run as written (QDQ transformations off); "
                                + "with ONNX Runtime's default QDQ transformations %.2f%%", ortDefaultTop1),
                input.describeDataset(), input.describe());
    }
}
