package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.ir.Layer;
import java.util.function.UnaryOperator;

/** The two memory formats of (N, C, H, W) activations, channels-last and contiguous, and moves between them. */
final class MemoryFormats {

    private MemoryFormats() {
    }

    /**
     * The input of convolution {@code conv}, given channels-last strides (a view, nothing copied) where it is a
     * 1x1-pixel (N, C, 1, 1) array and the kernel is larger than 1x1; else as it is. Such an array is laid out alike
     * in both formats, but libtorch takes it as contiguous unless its strides say channels-last, and oneDNN's
     * depthwise 3x3 convolution then runs its backward pass on a path 20x slower (64 x 480 channels: 10.4 ms against
     * 0.57 ms; the peer's contiguous layout has the same cost). 1x1 kernels keep the contiguous path: there
     * channels-last picks {@code brgconv_1x1}, wrong for some shapes ({@link ConvLayoutCheck}).
     */
    static NDArray channelsLastPixel(Layer conv, NDArray x) {
        Shape s = x.getShape();
        return conv.kernel() > 1 && s.dimension() == 4 && s.get(1) > 1 && s.get(2) == 1 && s.get(3) == 1
                ? toChannelsLast(x) : x;
    }

    /**
     * The same (N, C, H, W) array with contiguous strides: flattening a channels-last array is what
     * copies it into the logical order; a contiguous array comes back as a view of itself.
     */
    static NDArray toContiguous(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), -1).reshape(s);
    }

    /**
     * The same (N, C, H, W) array with channels-last strides: a copy laid out as (N, H, W, C),
     * viewed in the logical (N, C, H, W) order. Flattening the permuted view is what forces the
     * copy; DJL has no memory-format call. Arrays other than 4-d are returned as they are. A
     * single-channel image is laid out alike in both formats and comes back as a view with
     * channels-last strides: libtorch reads the format from the strides, and took a one-channel input
     * (Fashion-MNIST) as contiguous, so that its first convolution's output and every layer after it
     * ran contiguous (oneDNN reordering each to and from its blocked layout).
     */
    static NDArray toChannelsLast(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            return x;
        }
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), -1).reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                .transpose(0, 3, 1, 2);
    }

    /**
     * {@code op} on {@code x} in the layout it runs in: on a contiguous copy of {@code x} when {@code contiguous}
     * (its result laid out channels-last again), else on {@code x} given channels-last strides where it is a
     * 1x1-pixel input of convolution {@code conv} ({@link #channelsLastPixel}). Intermediate arrays are closed.
     */
    static NDArray convolveIn(Layer conv, NDArray x, boolean contiguous, UnaryOperator<NDArray> op) {
        NDArray in = contiguous ? toContiguous(x) : channelsLastPixel(conv, x);
        NDArray y = op.apply(in);
        NDArray out = contiguous ? toChannelsLast(y) : y;
        if (in != x) {
            in.close();
        }
        if (out != y) {
            y.close();
        }
        return out;
    }
}
