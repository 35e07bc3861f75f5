package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link TinyDepthwise} computes a depthwise convolution's output and its input, weight and bias gradients (float64,
 * to rounding), in either memory format, for the geometries MBConv stages give small images.
 */
class TinyDepthwiseTest {

    @Test
    void appliesToDepthwiseConvolutionsOnImagesNoLargerThanTheKernel() {
        assertTrue(TinyDepthwise.applies(depthwise(2, 3, 1, 8)));
        assertTrue(TinyDepthwise.applies(depthwise(3, 3, 1, 8)));
        assertTrue(TinyDepthwise.applies(depthwise(4, 7, 2, 8)));
        assertFalse(TinyDepthwise.applies(depthwise(4, 3, 1, 8)), "16 pixels, 9 weights");
        assertFalse(TinyDepthwise.applies(depthwise(8, 5, 1, 8)));
        Layer full = depthwise(2, 3, 1, 8);
        assertFalse(TinyDepthwise.applies(new Layer(1, "c", LayerKind.CONV2D, full.inputs(), full.inputShapes(),
                full.output(), 3, 1, 1, 1, 0, false, 32, 0, 0)), "a full convolution");
    }

    @ParameterizedTest(name = "{0}x{0} image, {1}x{1} kernel, stride {2}, channels-last {3}, bias {4}")
    @CsvSource({"1, 3, 1, false, false", "2, 3, 1, true, true", "2, 3, 2, false, true", "2, 7, 2, true, false",
        "3, 3, 1, true, true", "4, 7, 1, false, true", "4, 7, 2, true, false", "4, 5, 1, true, true",
        "2, 5, 1, false, false"})
    void givesTheConvolutionsOutputAndGradients(int size, int kernel, int stride, boolean channelsLast, boolean bias) {
        Layer conv = depthwise(size, kernel, stride, 8);
        Autograd.exclusive(5, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(3, 8, size, size))
                        .toType(DataType.FLOAT64, false);
                NDArray w = m.randomNormal(new ai.djl.ndarray.types.Shape(8, 1, kernel, kernel))
                        .toType(DataType.FLOAT64, false);
                NDArray b = bias ? m.randomNormal(new ai.djl.ndarray.types.Shape(8)).toType(DataType.FLOAT64, false)
                        : null;
                Pass reference = pass(x, w, b, (in, weight, bb) -> Conv2d.conv2d(in, weight, bb,
                        new ai.djl.ndarray.types.Shape(stride, stride),
                        new ai.djl.ndarray.types.Shape(kernel / 2, kernel / 2), new ai.djl.ndarray.types.Shape(1, 1),
                        8).singletonOrThrow(), false);
                Pass tiny = pass(x, w, b, (in, weight, bb) -> TinyDepthwise.convolve(conv, in, weight, bb,
                        channelsLast), channelsLast);
                assertArrayEquals(reference.out.getShape().getShape(), tiny.out.getShape().getShape());
                assertEquals(0, ConvLayoutCheck.relative(reference.out, tiny.out), 1e-12, "output");
                assertEquals(0, ConvLayoutCheck.relative(reference.inputGrad, tiny.inputGrad), 1e-12, "input grad");
                assertEquals(0, ConvLayoutCheck.relative(reference.weightGrad, tiny.weightGrad), 1e-12, "weight grad");
                if (bias) {
                    assertEquals(0, ConvLayoutCheck.relative(reference.biasGrad, tiny.biasGrad), 1e-12, "bias grad");
                }
                return null;
            }
        });
    }

    /**
     * Float32, with the JVM collecting garbage and reusing freed direct memory between the forward and the backward
     * pass: every array the backward pass reads must be libtorch's own (an array made from Java data reads a direct
     * buffer that is freed once the array is closed and collected; the selection matrix was such an array, and
     * supernet training turned NaN within a few steps).
     */
    @Test
    void float32GradientsSurviveGarbageCollectionBeforeTheBackwardPass() {
        Layer conv = depthwise(2, 3, 1, 64);
        Autograd.exclusive(7, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(16, 64, 2, 2));
                NDArray w = m.randomNormal(new ai.djl.ndarray.types.Shape(64, 1, 3, 3));
                NDArray expected;
                NDArray actual;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    w.setRequiresGradient(true);
                    gc.backward(Conv2d.conv2d(x, w, null, new ai.djl.ndarray.types.Shape(1, 1),
                            new ai.djl.ndarray.types.Shape(1, 1), new ai.djl.ndarray.types.Shape(1, 1), 64)
                            .singletonOrThrow().square().sum());
                    expected = w.getGradient().duplicate();
                }
                NDArray w2 = w.duplicate();
                w2.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = TinyDepthwise.convolve(conv, x, w2, null, false).square().sum();
                    for (int i = 0; i < 20; i++) { // collect, and fill the freed direct memory with other data
                        System.gc();
                        java.nio.ByteBuffer junk = java.nio.ByteBuffer.allocateDirect(1 << 16);
                        while (junk.hasRemaining()) {
                            junk.put((byte) 0x7f);
                        }
                    }
                    gc.backward(loss);
                    actual = w2.getGradient().duplicate();
                }
                assertEquals(0, ConvLayoutCheck.relative(expected, actual), 1e-5, "float32 weight gradient");
                return null;
            }
        });
    }

    private interface Conv {
        NDArray apply(NDArray x, NDArray w, NDArray b);
    }

    private record Pass(NDArray out, NDArray inputGrad, NDArray weightGrad, NDArray biasGrad) {
    }

    private static Pass pass(NDArray x0, NDArray w0, NDArray b0, Conv conv, boolean channelsLast) {
        NDArray x = channelsLast ? MemoryFormats.toChannelsLast(x0) : x0.duplicate();
        NDArray w = w0.duplicate();
        NDArray b = b0 == null ? null : b0.duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        if (b != null) {
            b.setRequiresGradient(true);
        }
        NDArray out;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = conv.apply(x, w, b);
            NDArray weights = out.getManager().arange((float) out.size()).reshape(out.getShape())
                    .toType(DataType.FLOAT64, false);
            gc.backward(out.mul(weights).sum());
        }
        return new Pass(out, x.getGradient().duplicate(), w.getGradient().duplicate(),
                b == null ? null : b.getGradient().duplicate());
    }

    private static Layer depthwise(int size, int kernel, int stride, int channels) {
        Shape in = new Shape(channels, size, size);
        int outSize = (size + 2 * (kernel / 2) - kernel) / stride + 1;
        return new Layer(1, "dw", LayerKind.CONV2D, List.of(0), List.of(in), new Shape(channels, outSize, outSize),
                kernel, stride, kernel / 2, channels, 0, false, 32, 0, 0);
    }
}
