package io.hwnas.core.data;

import io.hwnas.core.ir.Shape;
import java.util.SplittableRandom;

/**
 * A seeded synthetic dataset: every class has a random prototype image, and each sample is its
 * class prototype plus noise, so networks can learn it in a few steps (for tests and dry runs).
 */
public final class SyntheticImages {

    private SyntheticImages() {
    }

    public static ImageDataset generate(String name, int size, Shape shape, int classes, long seed) {
        if (size <= 0) {
            throw new IllegalArgumentException("synthetic dataset: size must be positive, but was " + size);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int e = (int) shape.elements();
        int[][] prototypes = new int[classes][e];
        for (int[] p : prototypes) {
            for (int k = 0; k < e; k++) {
                p[k] = random.nextInt(256);
            }
        }
        byte[] pixels = new byte[size * e];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = random.nextInt(classes);
            int[] p = prototypes[labels[i]];
            for (int k = 0; k < e; k++) {
                int v = (int) Math.round(p[k] + 48 * random.nextGaussian());
                pixels[i * e + k] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return new ImageDataset(name, pixels, labels, shape, classes);
    }

    /** Training and test parts drawn from the same prototypes. */
    public static DataSplits splits(int trainSize, int testSize, Shape shape, int classes, long seed) {
        ImageDataset all = generate("synthetic", trainSize + testSize, shape, classes, seed);
        int[] idx = new int[trainSize + testSize];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return new DataSplits(all.select(java.util.Arrays.copyOf(idx, trainSize)),
                all.select(java.util.Arrays.copyOfRange(idx, trainSize, idx.length)));
    }
}
