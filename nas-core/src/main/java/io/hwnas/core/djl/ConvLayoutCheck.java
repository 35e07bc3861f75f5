package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import io.hwnas.core.ir.Layer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, per convolution shape, whether this machine's libtorch computes a convolution on
 * channels-last activations as it does on contiguous ones: the forward output, in the network's own
 * data type and batch size, within {@link #TOLERANCE}.
 *
 * <p>Why: libtorch 2.7.1 (DJL 0.36's PyTorch engine) runs float32 channels-last 1x1 convolutions
 * through oneDNN's {@code brgconv_1x1:avx512_core} kernel. On AVX-512 CPUs (seen on AMD EPYC)
 * that kernel returns wrong outputs, off by the size of the outputs themselves, for some shapes
 * when the batch has more than one image: e.g. 64 to 112 channels at 8x8 (weights padded to
 * blocks of 32), or 960 to 320 at 2x2; the contiguous path uses the {@code jit_1x1} kernel on a
 * blocked layout and is right. Which shapes are hit depends on the kernels oneDNN picks for the
 * CPU, so it is measured here, on the machine, never guessed from the CPU's name: each distinct
 * shape is checked once per process, on seeded random data (no draw from DJL's global random
 * generator), and a convolution whose channels-last output disagrees runs on a contiguous copy of
 * its input instead (its backward pass then runs contiguous too).
 *
 * <p>The check runs the forward pass only, with grad mode off, so it records nothing into a graph
 * that is being trained: a check that also ran a backward pass in the middle of a training step
 * made later steps of that training turn NaN now and then. The gradients of every layer kind in
 * both layouts are compared by the test suite ({@code Float32LayoutTest}); here the backward
 * kernels agreed (weight gradients identical, input gradients within 4e-7) where the forward did not.
 */
public final class ConvLayoutCheck {

    /** Largest relative difference (to the largest magnitude) that still counts as agreement. */
    public static final double TOLERANCE = 1e-3;

    /**
     * What a convolution's result depends on: its shape, and the intra-op thread count it runs with (oneDNN picks
     * kernels by the work each thread gets: 480 to 80 channels at 1x1 pixels, batch 4, is wrong in channels-last on
     * two threads and right on one).
     */
    public record Key(DataType dataType, long batch, long inChannels, long outChannels, long height, long width,
            int kernel, int stride, int padding, int groups, boolean bias, int threads) {

        /** The key of an IR convolution layer run on {@code batch} inputs of {@code dataType}, at the current threads. */
        public static Key of(Layer conv, long batch, DataType dataType) {
            return new Key(dataType, batch, conv.input().channels(), conv.output().channels(), conv.input().height(),
                    conv.input().width(), conv.kernel(), conv.stride(), conv.padding(), conv.groups(), conv.bias(),
                    JniUtils.getNumThreads());
        }
    }

    /** The relative difference of the channels-last output against the contiguous one for one shape. */
    public record Result(Key key, double output) {

        /** Whether the outputs agree within {@link #TOLERANCE}. */
        public boolean agrees() {
            return output <= TOLERANCE;
        }
    }

    private static final Map<Key, Result> RESULTS = new ConcurrentHashMap<>();

    private ConvLayoutCheck() {
    }

    /** Whether the convolution layer may run on channels-last activations of this input's batch and type. */
    public static boolean channelsLastAgrees(Layer conv, NDArray input) {
        return check(Key.of(conv, input.getShape().get(0), input.getDataType())).agrees();
    }

    /** The (cached) comparison for one shape. */
    public static Result check(Key key) {
        Result r = RESULTS.get(key);
        return r != null ? r : RESULTS.computeIfAbsent(key, ConvLayoutCheck::measure);
    }

    /** Compares the two layouts' outputs on seeded data, with grad mode off. */
    static Result measure(Key k) {
        try (NDManager m = NDManager.newBaseManager()) { // loads the engine before any JNI call
            boolean gradMode = JniUtils.isGradMode();
            int threads = JniUtils.getNumThreads();
            try {
                JniUtils.setGradMode(false);
                if (threads != k.threads()) {
                    JniUtils.setNumThreads(k.threads());
                }
                SplittableRandom rng = new SplittableRandom(0x5eed);
                Shape inShape = new Shape(k.batch(), k.inChannels(), k.height(), k.width());
                Shape wShape = new Shape(k.outChannels(), k.inChannels() / k.groups(), k.kernel(), k.kernel());
                double fanIn = (double) (k.inChannels() / k.groups()) * k.kernel() * k.kernel();
                NDArray x = random(m, inShape, 1, rng, k.dataType());
                NDArray w = random(m, wShape, 1 / Math.sqrt(fanIn), rng, k.dataType());
                NDArray b = k.bias() ? random(m, new Shape(k.outChannels()), 0.1, rng, k.dataType()) : null;
                return new Result(k, relative(convolve(k, x, w, b), convolve(k, MemoryFormats.toChannelsLast(x), w, b)));
            } finally {
                JniUtils.setGradMode(gradMode);
                if (threads != k.threads()) {
                    JniUtils.setNumThreads(threads);
                }
            }
        }
    }

    private static NDArray convolve(Key k, NDArray x, NDArray w, NDArray b) {
        return Conv2d.conv2d(x, w, b, new Shape(k.stride(), k.stride()), new Shape(k.padding(), k.padding()),
                new Shape(1, 1), k.groups()).singletonOrThrow();
    }

    private static NDArray random(NDManager m, Shape shape, double scale, SplittableRandom rng, DataType type) {
        int n = Math.toIntExact(shape.size());
        if (type == DataType.FLOAT64) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = scale * (2 * rng.nextDouble() - 1);
            }
            return m.create(v, shape);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * (2 * rng.nextDouble() - 1));
        }
        NDArray a = m.create(v, shape);
        return type == DataType.FLOAT32 ? a : a.toType(type, false);
    }

    /** max |a - b| / max |a|, in double (max |a - b| when a is all zeros). */
    public static double relative(NDArray a, NDArray b) {
        double[] x = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] y = b.toType(DataType.FLOAT64, false).toDoubleArray();
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
            scale = Math.max(scale, Math.abs(x[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
