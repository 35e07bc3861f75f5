package io.hwnas.core.data;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Training-time image augmentation, as CIFAR and Fashion-MNIST training commonly uses it: a random horizontal flip
 * (each image with probability 1/2) and a random shift of up to {@code shift} pixels each way in each direction (the
 * "pad by {@code shift} and crop at random" of ResNet-style training: the uncovered border is black, pixel 0).
 * Applied to source images before normalisation and fitting ({@link ImageBatcher#fill(ImageDataset, int[], int, int,
 * Augmentation, RandomGenerator)}); every image's draw comes from a generator seeded by the training seed and the
 * step ({@link #generator}), so a step's batch is the same on every run, resumed or not, on any executor.
 *
 * @param flip  mirror each image left-right with probability 1/2
 * @param shift the largest shift in pixels, in [0, 16]; 0 for none
 */
public record Augmentation(boolean flip, int shift) {

    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(false, 0);

    /** The largest shift allowed. */
    public static final int MAX_SHIFT = 16;

    public Augmentation {
        if (shift < 0 || shift > MAX_SHIFT) {
            throw new IllegalArgumentException("augmentation shift must be in [0, " + MAX_SHIFT + "], but was "
                    + shift);
        }
    }

    /** Whether this changes nothing. */
    public boolean none() {
        return !flip && shift == 0;
    }

    /**
     * One image's augmentation: the augmented image at (y, x) is the source at (y - dy, x - dx), mirrored first when
     * {@code flip} (source column {@code width - 1 - (x - dx)}); outside the source it is black.
     */
    public record Draw(boolean flip, int dy, int dx) {

        /** The identity. */
        public static final Draw IDENTITY = new Draw(false, 0, 0);
    }

    /** The next image's draw from {@code random}. */
    public Draw draw(RandomGenerator random) {
        if (none()) {
            return Draw.IDENTITY;
        }
        boolean f = flip && random.nextBoolean();
        int dy = shift == 0 ? 0 : random.nextInt(-shift, shift + 1);
        int dx = shift == 0 ? 0 : random.nextInt(-shift, shift + 1);
        return new Draw(f, dy, dx);
    }

    /** The generator of training step {@code step}'s draws under {@code seed}. */
    public static RandomGenerator generator(long seed, long step) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 0x5A17L);
    }

    /** In words, for reports: "flip, shift 2", "flip", "shift 2" or "none". */
    public String describe() {
        return none() ? "none" : (flip ? "flip" : "") + (flip && shift > 0 ? ", " : "") + (shift > 0 ? "shift "
                + shift : "");
    }
}
