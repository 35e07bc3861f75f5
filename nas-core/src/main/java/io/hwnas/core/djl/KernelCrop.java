package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;

/**
 * The part of a convolution's kernel that ever meets an image pixel, where that is a smaller centred square: a
 * 7x7 kernel with padding 3 on a 2x2 image reads the image only through its central 3x3 weights (the rest always
 * meet padding), and a 3x3 kernel on a 1x1 image only through its centre. The convolution with the cropped kernel and
 * correspondingly smaller padding computes the same output (the same products, fewer additions of zero), and the
 * cropped weights the same gradients; the weights cropped away get a zero gradient either way.
 *
 * <p>Why: late MBConv stages run large depthwise kernels on 1x1 to 4x4 feature maps (a 32x32 input after five
 * stride-2 stages), and libtorch 2.7.1's oneDNN has no direct kernel for those shapes on AVX2 CPUs: the backward
 * pass of a depthwise convolution falls back to a generic GEMM path in either memory format (64 images, 192 channels,
 * 2x2 pixels, 7x7 kernel: 16 ms forward and backward, the peer PyTorch 1.13 13 to 16 ms; cropped to 3x3, 3.6 ms;
 * 480 channels at 1x1 with a 3x3 kernel 8 ms, cropped to 1x1 0.5 ms).
 *
 * @param offset  rows (and columns) of the kernel dropped on each side
 * @param kernel  the cropped kernel's size
 * @param padding the cropped convolution's padding
 */
public record KernelCrop(int offset, int kernel, int padding) {

    /**
     * The crop of convolution {@code conv} on its IR input shape, or null where every weight meets the image or the
     * weights that do are not a centred square (then the convolution runs as it is).
     */
    public static KernelCrop of(Layer conv) {
        if (conv.kind() != LayerKind.CONV2D || conv.kernel() == 1) {
            return null;
        }
        int[] rows = used(conv.input().height(), conv.kernel(), conv.stride(), conv.padding());
        int[] cols = used(conv.input().width(), conv.kernel(), conv.stride(), conv.padding());
        int lo = rows[0];
        int hi = rows[1];
        boolean centred = lo == cols[0] && hi == cols[1] && lo == conv.kernel() - 1 - hi;
        return centred && lo > 0 ? new KernelCrop(lo, hi - lo + 1, conv.padding() - lo) : null;
    }

    /**
     * How convolution {@code conv} runs rewritten in this pass, or null where it runs as it is: as {@link TinyDepthwise}
     * where that applies and autograd records (a backward pass follows), else cropped where {@link #of} crops it.
     */
    public static Rewrite rewrite(Layer conv) {
        if (TinyDepthwise.applies(conv) && JniUtils.isGradMode()) {
            return new Rewrite(conv, null);
        }
        KernelCrop crop = of(conv);
        return crop == null ? null : new Rewrite(conv, crop);
    }

    /**
     * A rewritten convolution {@code conv}: {@link TinyDepthwise} when {@code crop} is null, else the cropped kernel.
     *
     * @param conv the convolution as the IR gives it
     * @param crop its crop, or null
     */
    public record Rewrite(Layer conv, KernelCrop crop) {

        /**
         * The convolution of {@code x} with full-size {@code weight} and {@code bias} (or null); in channels-last mode
         * its output is channels-last (a cropped convolution runs in the layout {@link ConvLayoutCheck} allows for its
         * cropped shape).
         */
        public NDArray convolve(NDArray x, NDArray weight, NDArray bias, boolean channelsLast) {
            if (crop == null) {
                return TinyDepthwise.convolve(conv, x, weight, bias, channelsLast);
            }
            return channelsLast ? NetworkBlock.convolveChannelsLast(crop.layer(conv), x,
                    in -> crop.convolve(conv, in, weight, bias)) : crop.convolve(conv, x, weight, bias);
        }
    }

    /** The first and last kernel offset along one axis that meets an image pixel for some output position. */
    static int[] used(int size, int kernel, int stride, int padding) {
        int out = (size + 2 * padding - kernel) / stride + 1;
        int lo = kernel;
        int hi = -1;
        for (int j = 0; j < kernel; j++) {
            for (int o = 0; o < out; o++) {
                int i = o * stride - padding + j;
                if (i >= 0 && i < size) {
                    lo = Math.min(lo, j);
                    hi = Math.max(hi, j);
                    break;
                }
            }
        }
        return new int[] {lo, hi};
    }

    /** The cropped (O, I/groups, k, k) weights: a view of {@code weight}, through which gradients flow. */
    public NDArray weight(NDArray weight) {
        int end = offset + kernel;
        return weight.get(new NDIndex(":, :, {}:{}, {}:{}", offset, end, offset, end));
    }

    /**
     * Convolution {@code conv} of {@code x} with full-size weights {@code weight} (and {@code bias}, or null), run
     * with the cropped kernel; the cropped view closes after use (the autograd graph keeps what it needs).
     */
    public NDArray convolve(Layer conv, NDArray x, NDArray weight, NDArray bias) {
        NDArray w = weight(weight);
        try {
            return Conv2d.conv2d(x, w, bias, new Shape(conv.stride(), conv.stride()), new Shape(padding, padding),
                    new Shape(1, 1), conv.groups()).singletonOrThrow();
        } finally {
            w.close();
        }
    }

    /** {@code conv} with the cropped kernel and padding (what the convolution actually runs: its shape's key). */
    public Layer layer(Layer conv) {
        return new Layer(conv.id(), conv.name(), conv.kind(), conv.inputs(), conv.inputShapes(), conv.output(), kernel,
                conv.stride(), padding, conv.groups(), conv.hidden(), conv.bias(), conv.bits(), conv.params(),
                conv.macs(), conv.activationBits());
    }
}
