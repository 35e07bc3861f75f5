package io.hwnas.experiments.export;

import io.hwnas.core.ir.Shape;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Where int8 calibration (and agreement-check) inputs come from. */
public enum Calibration {
    /** Fashion-MNIST images (1 x 28 x 28): calibration from the training split, checks on the test split. */
    FASHION_MNIST,
    /** Seeded standard-normal inputs of the network's input shape. */
    SYNTHETIC;

    /** A batch of inputs: {@code count} samples, flattened N x C x H x W. */
    public record Batch(float[] x, int[] labels, int count) {
    }

    /** Parses {@code fashion-mnist} or {@code synthetic}. */
    public static Calibration parse(String text) {
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
        if (input.channels() != 1 || input.height() != 28 || input.width() != 28) {
            throw new IllegalArgumentException("--calibration fashion-mnist feeds 1x28x28 images, but the network takes "
                    + input + "; export with --input 1x28x28 or use --calibration synthetic");
        }
        FashionMnist d = FashionMnist.read(dataDir, train, count);
        return new Batch(d.images(), d.labels(), d.count());
    }
}
