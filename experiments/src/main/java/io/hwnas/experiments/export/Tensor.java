package io.hwnas.experiments.export;

import java.util.Arrays;

/**
 * A dense float tensor copied out of a DJL parameter: row-major data and its shape.
 *
 * @param shape the dimensions
 * @param data  the values, {@code product(shape)} of them
 */
public record Tensor(long[] shape, float[] data) {

    public Tensor {
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "tensor of shape " + Arrays.toString(shape) + " needs " + n + " values, but has " + data.length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code i}. */
    public int dim(int i) {
        return (int) shape[i];
    }
}
