package io.hwnas.core.data;

import io.hwnas.core.ir.Shape;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Labelled images held as unsigned bytes (channel-major per sample, as in the IDX and CIFAR
 * files), immutable. Subsets and splits are deterministic functions of their seed.
 */
public final class ImageDataset {

    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final Shape shape;
    private final int classes;

    /**
     * @param pixels  {@code labels.length * shape.elements()} bytes, read as 0..255
     * @param labels  class of each image, in {@code 0..classes-1}
     */
    public ImageDataset(String name, byte[] pixels, int[] labels, Shape shape, int classes) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = Objects.requireNonNull(shape, "shape");
        if (classes < 2) {
            throw new IllegalArgumentException(name + ": classes must be at least 2, but was " + classes);
        }
        if ((long) labels.length * shape.elements() != pixels.length) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixel bytes do not hold "
                    + labels.length + " images of " + shape);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i
                        + " is not in 0.." + (classes - 1));
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.classes = classes;
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    /** The shape of one image. */
    public Shape shape() {
        return shape;
    }

    public int classes() {
        return classes;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Pixel {@code k} (channel-major) of image {@code i}, in 0..255. */
    int pixel(int i, int k) {
        return pixels[(int) (i * shape.elements()) + k] & 0xff;
    }

    /** The images at the given indices, in that order. */
    public ImageDataset select(int[] indices) {
        int e = (int) shape.elements();
        byte[] p = new byte[indices.length * e];
        int[] l = new int[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            if (i < 0 || i >= labels.length) {
                throw new IndexOutOfBoundsException(name + ": index " + i + " is not in 0.." + (labels.length - 1));
            }
            System.arraycopy(pixels, i * e, p, j * e, e);
            l[j] = labels[i];
        }
        return new ImageDataset(name, p, l, shape, classes);
    }

    /** A seeded random subset of {@code n} images ({@code n >= size()} keeps every image, shuffled). */
    public ImageDataset sample(int n, long seed) {
        int[] perm = permutation(size(), seed);
        return select(Arrays.copyOf(perm, Math.min(n, size())));
    }

    /**
     * A deterministic train/validation split: a seeded shuffle, then the first
     * {@code validationSize} images for validation.
     */
    public Split split(int validationSize, long seed) {
        if (validationSize <= 0 || validationSize >= size()) {
            throw new IllegalArgumentException(name + ": validation size must be in 1.." + (size() - 1) + ", but was "
                    + validationSize);
        }
        int[] perm = permutation(size(), seed);
        return new Split(select(Arrays.copyOfRange(perm, validationSize, perm.length)),
                select(Arrays.copyOf(perm, validationSize)));
    }

    /** Per-channel mean and standard deviation of the pixels scaled to 0..1: {@code [mean[], std[]]}. */
    public double[][] channelStats() {
        int c = shape.channels();
        int hw = shape.height() * shape.width();
        double[] sum = new double[c];
        double[] sq = new double[c];
        for (int i = 0; i < size(); i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < hw; k++) {
                    double v = pixel(i, ch * hw + k) / 255.0;
                    sum[ch] += v;
                    sq[ch] += v * v;
                }
            }
        }
        double n = (double) size() * hw;
        double[] mean = new double[c];
        double[] std = new double[c];
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = sum[ch] / n;
            std[ch] = Math.sqrt(Math.max(sq[ch] / n - mean[ch] * mean[ch], 1e-12));
        }
        return new double[][] {mean, std};
    }

    /** A seeded Fisher-Yates permutation of {@code 0..n-1}. */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images of " + shape + ", " + classes + " classes)";
    }

    /** A training set and a validation set drawn from the same images. */
    public record Split(ImageDataset train, ImageDataset validation) {

        public Split {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(validation, "validation");
        }
    }
}
