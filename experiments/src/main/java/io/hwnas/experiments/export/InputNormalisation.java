package io.hwnas.experiments.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.io.Json;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.train.TrainEstimator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a trained member's inputs were made ({@link ImageBatcher#fitted}: per-channel mean and standard deviation of
 * its training images, centred zero padding or bilinear resizing, gray replicated to 3 channels), and where its
 * dataset lies, as the final training records it ({@code trained/<key>.input.json}): what the exported model
 * expects, and what the model card's test top-1 feeds it.
 *
 * @param dataset     the dataset's name ({@link Datasets#NAMES})
 * @param dir         its directory, or null for the default
 * @param seed        the seed it is loaded with (synthetic images depend on it)
 * @param trainImages the training images the statistics were computed on
 * @param source      the dataset's image shape, CxHxW
 * @param target      the network's input shape, CxHxW
 * @param mean        per source channel, of pixels scaled to 0..1
 * @param std         per source channel
 */
public record InputNormalisation(String dataset, String dir, long seed, int trainImages, String source,
        String target, List<Double> mean, List<Double> std) {

    /** The file name suffix beside a final training's {@code <key>.params}. */
    public static final String SUFFIX = ".input.json";

    public InputNormalisation {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
    }

    /** The normalisation {@link ImageBatcher#fitted} makes from {@code train} for {@code target}. */
    public static InputNormalisation of(String dataset, String dir, long seed, ImageDataset train, Shape target) {
        double[][] s = train.channelStats();
        return new InputNormalisation(dataset, dir, seed, train.size(), train.shape().toString(), target.toString(),
                Arrays.stream(s[0]).boxed().toList(), Arrays.stream(s[1]).boxed().toList());
    }

    /**
     * The normalisation the {@code train} estimator {@code t} makes for a network taking {@code target}: its training
     * images, loaded with seed 0 as {@link TrainEstimator#data} loads them.
     */
    public static InputNormalisation of(TrainEstimator t, Shape target) {
        Object dir = t.options().get("dir");
        return of(t.options().get("dataset").toString(), dir == null || dir.toString().isEmpty() ? null
                : dir.toString(), 0, t.data().train(), target);
    }

    /** The batcher that makes the inputs training made. */
    public ImageBatcher batcher() {
        return new ImageBatcher(Shape.parse(source), Shape.parse(target), unbox(mean), unbox(std));
    }

    /** The dataset's test split, loaded as training loaded the dataset (once per dataset, directory and seed). */
    public ImageDataset testImages() {
        return TESTS.computeIfAbsent(dataset + "|" + dir + "|" + seed, k -> {
            DataSplits d = Datasets.load(dataset, dir == null ? null : Path.of(dir), seed);
            return d.test();
        });
    }

    private static final java.util.Map<String, ImageDataset> TESTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Where the images come from, e.g. "fashion-mnist (directory /data/fm)". */
    public String describeDataset() {
        return dataset + (dataset.equals("synthetic") ? " (seed " + seed + ")" : " (directory " + (dir == null
                ? io.hwnas.core.data.FashionMnist.DEFAULT_DIR.toAbsolutePath() : dir) + ")");
    }

    /** How inputs are made, in words. */
    public String describe() {
        Shape s = Shape.parse(source);
        Shape t = Shape.parse(target);
        boolean pad = t.height() >= s.height() && t.width() >= s.width() && (t.height() - s.height()) % 2 == 0
                && (t.width() - s.width()) % 2 == 0;
        String fit = s.height() == t.height() && s.width() == t.width() ? "" : pad ? ", zero-padded (centred)"
                : ", resized (bilinear)";
        String channels = s.channels() == t.channels() ? "" : s.channels() == 1 ? ", gray replicated to "
                + t.channels() + " channels" : ", channels averaged to 1";
        return String.format(Locale.ROOT, "pixels/255 normalised per channel with mean %s and std %s (of the %,d "
                + "training images)%s%s, %s -> %s", format(mean), format(std), trainImages, fit, channels, source,
                target);
    }

    private static String format(List<Double> v) {
        return v.stream().map(x -> String.format(Locale.ROOT, "%.4f", x)).toList().toString();
    }

    /**
     * Where the record of the weights in {@code weights} lies: beside it, {@code .params} replaced by
     * {@value #SUFFIX} ({@code trained/KEY.params} -> {@code trained/KEY.input.json}; {@code base.bin} ->
     * {@code base.bin.input.json}).
     */
    public static Path beside(Path weights) {
        String name = weights.getFileName().toString().replaceFirst("\\.params$", "");
        return weights.resolveSibling(name + SUFFIX);
    }

    /** Writes the record atomically. */
    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, Json.MAPPER.writeValueAsString(this) + "\n");
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * The record in {@code file}, or null when there is none.
     *
     * @throws IllegalArgumentException naming the file when it is not such a record
     */
    public static InputNormalisation read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(file.toFile(), InputNormalisation.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not an input normalisation record: " + e.getMessage(), e);
        }
    }

    private static double[] unbox(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
