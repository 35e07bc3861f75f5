package io.hwnas.experiments.export;

import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.FashionMnist;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Shape;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/** Where int8 calibration (and agreement-check) inputs come from. */
public enum CalibrationImages {
    /**
     * Fashion-MNIST images ({@link FashionMnist}), normalised and fitted to the network's input as training
     * feeds them ({@link ImageBatcher#fitted}: padded, gray replicated to 3 channels when the network takes
     * them): calibration from the training file's images that training holds out for validation
     * (the first of the seed-0 permutation, which the {@code train} estimator's {@code val_size} images
     * are), checks on the test split. Images the network was trained on would flatter the accuracy
     * fallback: their margins are wider than on unseen images.
     */
    FASHION_MNIST,
    /** Seeded standard-normal inputs of the network's input shape. */
    SYNTHETIC;

    private static final Map<Path, DataSplits> LOADED = new ConcurrentHashMap<>();

    /** A batch of inputs: {@code count} samples, flattened N x C x H x W. */
    public record Batch(float[] x, int[] labels, int count) {
    }

    /** Parses {@code fashion-mnist} or {@code synthetic}. */
    public static CalibrationImages parse(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "fashion-mnist", "fashion_mnist" -> FASHION_MNIST;
            case "synthetic" -> SYNTHETIC;
            default -> throw new IllegalArgumentException(
                    "--calibration '" + text + "' is not known; allowed: fashion-mnist, synthetic");
        };
    }

    /** The calibration batch ({@code train} true) or the check batch ({@code train} false). */
    public Batch batch(Shape input, int count, boolean train, Path dataDir, long seed) {
        if (this == SYNTHETIC) {
            float[] x = Verification.gaussian(new SplittableRandom(seed + (train ? 0 : 1)), count * input.elements());
            return new Batch(x, null, count);
        }
        DataSplits d = LOADED.computeIfAbsent(dataDir.toAbsolutePath().normalize(), FashionMnist::load);
        ImageDataset source = train ? d.train() : d.test();
        int n = Math.min(count, source.size());
        int[] order = train ? ImageDataset.permutation(source.size(), 0) : null;
        int[] idx = new int[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = train ? order[i] : i;
            labels[i] = source.label(idx[i]);
        }
        float[] x = ImageBatcher.fitted(d.train(), input).fill(source, idx, 0, n);
        return new Batch(x, labels, n);
    }
}
