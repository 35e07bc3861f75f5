package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Depthwise convolutions on images no larger than their kernel, for training: each channel's convolution is a
 * dense map from the image's pixels to the output's, {@code y[n, c, :] = x[n, c, :] M[c]}, and
 * {@code M[c] = w[c] S}, where the constant 0/1 matrix {@code S} (kernel offsets by input-output pixel pairs) holds
 * the convolution's geometry: stride, padding and the kernel weights that never meet the image. Both products are
 * dense matrix or elementwise operations whose backward passes are the same, so weights and inputs get the
 * convolution's gradients (to float rounding).
 *
 * <p>Why: late MBConv stages of small inputs (a 32x32 image after four or five stride-2 stages) run 3x3 to 7x7
 * depthwise kernels on 1x1 to 4x4 images, and libtorch 2.7.1's oneDNN has no direct kernel for their backward pass
 * on AVX2 CPUs: it falls back to a generic GEMM path, in either memory format, that took more than half the supernet's
 * training time on such a CPU (forward and backward, 64 images: 192 channels at 2x2 with a 3x3 kernel 5 to 8 ms, here
 * 2.3 ms; 96 channels at 4x4 with a 7x7 kernel 10 ms, here 3.6 ms; 288 channels, 2x2, 7x7, stride 2: 17 to 24 ms,
 * here 0.8 ms). The peer PyTorch 1.13 has the same fallback. Larger images keep the convolution kernels, which are
 * direct there. The per-channel products run on contiguous copies ({@link #contiguous}): side by side on the same
 * CPU, forward and backward of 64 channels-last images at 4x4 took 8.2 to 8.8 ms before and 4.0 to 4.7 ms after for
 * 96 channels with a 7x7 kernel, 14.5 to 18.2 ms and 5.3 to 6.3 ms for 240 channels with a 5x5 kernel (a sandwich
 * step of the example's supernet has a few such layers: its time did not move beyond its run-to-run noise).
 */
public final class TinyDepthwise {

    /** The selection matrices by geometry: (k*k, in pixels * out pixels), row-major, as float. */
    private static final Map<String, float[]> SELECTIONS = new ConcurrentHashMap<>();

    private TinyDepthwise() {
    }

    /** Whether {@code conv} is a depthwise convolution (one weight plane per channel) on an image no larger than its kernel. */
    public static boolean applies(Layer conv) {
        int c = conv.input().channels();
        return conv.kind() == LayerKind.CONV2D && conv.kernel() > 1 && conv.groups() == c && c > 1
                && conv.output().channels() == c
                && (long) conv.input().height() * conv.input().width() <= (long) conv.kernel() * conv.kernel();
    }

    /**
     * Convolution {@code conv} ({@link #applies}) of {@code x} (N, C, H, W) with weights (C, 1, k, k) and {@code bias}
     * (or null); the output is laid out channels-last when {@code channelsLast}, else contiguous. Intermediate arrays
     * close as they are used (the autograd graph keeps what it needs).
     */
    public static NDArray convolve(Layer conv, NDArray x, NDArray weight, NDArray bias, boolean channelsLast) {
        int k = conv.kernel();
        int h = conv.input().height();
        int w = conv.input().width();
        int oh = conv.output().height();
        int ow = conv.output().width();
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        NDManager m = x.getManager();
        try (NDManager scratch = m.newSubManager()) {
            NDArray s = selection(scratch, k, h, w, oh, ow, conv.stride(), conv.padding(), x.getDataType());
            NDArray wm = weight.reshape(c, (long) k * k);
            wm.attach(scratch);
            NDArray maps = wm.matMul(s).reshape(c, (long) h * w, (long) oh * ow); // (C, in pixels, out pixels)
            maps.attach(scratch);
            NDArray y;
            if ((long) h * w <= 4) { // a few pixels: broadcast products summed over the input pixels
                NDArray xs = x.reshape(n, c, (long) h * w, 1);
                xs.attach(scratch);
                y = xs.mul(maps.expandDims(0)).sum(new int[] {2});
            } else { // one small matrix product per channel, on contiguous operands in both passes
                NDArray flat = x.reshape(n, c, (long) h * w);
                flat.attach(scratch);
                NDArray xs = contiguous(flat.transpose(1, 0, 2), scratch);
                NDArray ys = contiguous(xs.matMul(maps), scratch);
                y = ys.transpose(1, 0, 2);
            }
            y.attach(scratch);
            NDArray out = y.reshape(n, c, oh, ow);
            if (bias != null) {
                out.attach(scratch);
                out = out.add(bias.reshape(1, c, 1, 1));
            }
            out = channelsLast ? MemoryFormats.toChannelsLast(out) : MemoryFormats.toContiguous(out);
            out.attach(m);
            return out;
        }
    }

    /**
     * {@code a} (C, N, P) with contiguous strides in the forward pass and a contiguous gradient in the backward pass:
     * flattening copies a strided array in the forward pass, and the backward of the unflattening view flattens the
     * arriving gradient, which copies it when it is strided. libtorch's batched matrix product otherwise splits the
     * batch and copies every strided matrix one by one (a channels-last input, and the gradient of a channels-last
     * output, are strided that way); the figures are in the class comment.
     */
    private static NDArray contiguous(NDArray a, NDManager scratch) {
        Shape s = a.getShape();
        NDArray flat = a.reshape(-1);
        flat.attach(scratch);
        NDArray out = flat.reshape(s);
        out.attach(scratch);
        return out;
    }

    /** S: row j (a kernel offset), column (i * outPixels + o): 1 where output pixel o reads input pixel i at j. */
    static NDArray selection(NDManager m, int k, int h, int w, int oh, int ow, int stride, int padding,
            DataType type) {
        String key = k + ":" + h + "x" + w + ":" + oh + "x" + ow + ":" + stride + ":" + padding;
        float[] v = SELECTIONS.computeIfAbsent(key, x -> {
            int in = h * w;
            int out = oh * ow;
            float[] s = new float[k * k * in * out];
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int jy = iy - oy * stride + padding;
                            int jx = ix - ox * stride + padding;
                            if (jy >= 0 && jy < k && jx >= 0 && jx < k) {
                                s[(jy * k + jx) * in * out + (iy * w + ix) * out + oy * ow + ox] = 1;
                            }
                        }
                    }
                }
            }
            return s;
        });
        // a copy in libtorch's own memory: an array created from Java data reads a direct buffer that the JVM frees
        // once the array is closed and collected, while the backward pass still needs S (freed, it read garbage:
        // NaN losses within a few training steps)
        NDArray blob = m.create(v, new Shape((long) k * k, (long) h * w * oh * ow));
        NDArray s = type == DataType.FLOAT32 ? blob.duplicate() : blob.toType(type, false);
        blob.close();
        return s;
    }
}
