package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
 * A convolution run with only the kernel weights that meet the image ({@link KernelCrop}) computes the same output
 * and the same weight and input gradients as the full kernel (float64, to rounding); the weights cropped away get
 * zero gradients from the full convolution too, so the cropped one can leave them out.
 */
class KernelCropTest {

    @Test
    void cropsOnlyWhereWholeBordersOfTheKernelMeetPadding() {
        assertEquals(new KernelCrop(2, 3, 1), KernelCrop.of(conv(2, 7, 1, 8)));
        assertEquals(new KernelCrop(1, 1, 0), KernelCrop.of(conv(1, 3, 1, 8)));
        assertEquals(new KernelCrop(3, 1, 0), KernelCrop.of(conv(1, 7, 1, 1)));
        assertEquals(new KernelCrop(1, 3, 1), KernelCrop.of(conv(2, 5, 1, 8)));
        assertNull(KernelCrop.of(conv(4, 7, 1, 8)), "every weight of a 7x7 kernel meets a 4x4 image");
        assertNull(KernelCrop.of(conv(16, 3, 1, 8)));
        assertNull(KernelCrop.of(conv(2, 7, 2, 8)), "stride 2 meets the image on one side only: not centred");
        assertNull(KernelCrop.of(conv(2, 1, 1, 8)), "1x1 kernels have nothing to crop");
    }

    @ParameterizedTest(name = "{0}x{0} image, {1}x{1} kernel, stride {2}, groups {3}")
    @CsvSource({"1, 3, 1, 8", "1, 7, 1, 8", "2, 3, 1, 8", "2, 5, 1, 8", "2, 7, 1, 8", "3, 7, 1, 8", "2, 7, 1, 1",
        "1, 5, 1, 1", "1, 3, 2, 8", "3, 7, 2, 8", "4, 7, 1, 8"})
    void theCroppedConvolutionHasTheSameOutputAndGradients(int size, int kernel, int stride, int groups) {
        Layer conv = conv(size, kernel, stride, groups);
        KernelCrop crop = KernelCrop.of(conv);
        Autograd.exclusive(3, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(3, 8, size, size)).toType(DataType.FLOAT64,
                        false);
                NDArray w = m.randomNormal(new ai.djl.ndarray.types.Shape(8, 8 / groups, kernel, kernel))
                        .toType(DataType.FLOAT64, false);
                Pass full = pass(x, w, (in, weight) -> Conv2d.conv2d(in, weight, null,
                        new ai.djl.ndarray.types.Shape(stride, stride),
                        new ai.djl.ndarray.types.Shape(kernel / 2, kernel / 2), new ai.djl.ndarray.types.Shape(1, 1),
                        groups).singletonOrThrow());
                if (crop == null) {
                    assertTrue(full.weightGrad.abs().get(":, :, 0, :").sum().getDouble() > 0,
                            "the uncropped kernel's first row meets the image");
                    return null;
                }
                Pass cropped = pass(x, w, (in, weight) -> crop.convolve(conv, in, weight, null));
                assertEquals(0, ConvLayoutCheck.relative(full.out, cropped.out), 1e-12, "output");
                assertEquals(0, ConvLayoutCheck.relative(full.inputGrad, cropped.inputGrad), 1e-12, "input gradient");
                assertEquals(0, ConvLayoutCheck.relative(full.weightGrad, cropped.weightGrad), 1e-12, "weight grad");
                int end = crop.offset() + crop.kernel();
                NDArray outside = full.weightGrad.duplicate();
                outside.set(new NDIndex(":, :, {}:{}, {}:{}", crop.offset(), end, crop.offset(), end), 0);
                assertEquals(0, outside.abs().sum().getDouble(), "full-kernel gradient outside the crop");
                return null;
            }
        });
    }

    /** The same in float32, against libtorch's full-kernel convolution on this machine (oneDNN's kernels). */
    @ParameterizedTest(name = "float32: {0}x{0} image, {1}x{1} kernel, groups {2}")
    @CsvSource({"1, 3, 8", "2, 7, 8", "2, 5, 1", "1, 7, 1"})
    void float32CroppedConvolutionsMatchTheFullKernel(int size, int kernel, int groups) {
        Layer conv = conv(size, kernel, 1, groups);
        KernelCrop crop = KernelCrop.of(conv);
        Autograd.exclusive(4, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(16, 8, size, size));
                NDArray w = m.randomNormal(new ai.djl.ndarray.types.Shape(8, 8 / groups, kernel, kernel));
                Pass full = pass(x, w, (in, weight) -> Conv2d.conv2d(in, weight, null,
                        new ai.djl.ndarray.types.Shape(1, 1), new ai.djl.ndarray.types.Shape(kernel / 2, kernel / 2),
                        new ai.djl.ndarray.types.Shape(1, 1), groups).singletonOrThrow());
                Pass cropped = pass(x, w, (in, weight) -> crop.convolve(conv, in, weight, null));
                assertEquals(0, ConvLayoutCheck.relative(full.out, cropped.out), 1e-5, "output");
                assertEquals(0, ConvLayoutCheck.relative(full.inputGrad, cropped.inputGrad), 1e-5, "input gradient");
                assertEquals(0, ConvLayoutCheck.relative(full.weightGrad, cropped.weightGrad), 1e-5, "weight grad");
                return null;
            }
        });
    }

    private record Pass(NDArray out, NDArray inputGrad, NDArray weightGrad) {
    }

    private static Pass pass(NDArray x0, NDArray w0, java.util.function.BinaryOperator<NDArray> conv) {
        NDArray x = x0.duplicate();
        NDArray w = w0.duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        NDArray out;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            out = conv.apply(x, w);
            // a weighted sum, so that every output position's gradient differs
            NDArray weights = out.getManager().arange((float) out.size()).reshape(out.getShape())
                    .toType(out.getDataType(), false);
            gc.backward(out.mul(weights).sum());
        }
        return new Pass(out, x.getGradient().duplicate(), w.getGradient().duplicate());
    }

    private static Layer conv(int size, int kernel, int stride, int groups) {
        Shape in = new Shape(8, size, size);
        int outSize = (size + 2 * (kernel / 2) - kernel) / stride + 1;
        return new Layer(1, "conv", LayerKind.CONV2D, List.of(0), List.of(in), new Shape(8, outSize, outSize), kernel,
                stride, kernel / 2, groups, 0, false, 32, 0, 0);
    }
}
