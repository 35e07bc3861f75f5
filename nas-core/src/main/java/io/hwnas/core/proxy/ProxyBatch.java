package io.hwnas.core.proxy;

import io.hwnas.core.ir.Shape;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One batch of inputs (NCHW floats) and labels that data-dependent proxies run on.
 *
 * @param images {@code size * shape.elements()} floats
 * @param labels class of each input
 */
public record ProxyBatch(float[] images, int[] labels, Shape shape, int classes) {

    public ProxyBatch {
        Objects.requireNonNull(shape, "shape");
        if ((long) labels.length * shape.elements() != images.length) {
            throw new IllegalArgumentException(images.length + " floats do not hold " + labels.length + " inputs of "
                    + shape);
        }
        if (labels.length < 2) {
            throw new IllegalArgumentException("a proxy batch needs at least 2 inputs, but has " + labels.length);
        }
    }

    public int size() {
        return labels.length;
    }

    /** Standard-normal inputs and uniform labels from {@code seed}. */
    public static ProxyBatch gaussian(int size, Shape shape, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[(int) (size * shape.elements())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int[] y = new int[size];
        for (int i = 0; i < size; i++) {
            y[i] = r.nextInt(classes);
        }
        return new ProxyBatch(x, y, shape, classes);
    }
}
