package io.hwnas.cost;

import io.hwnas.core.ir.LayerKind;
import io.hwnas.cost.device.KernelClass;

/**
 * One kernel as a device runs it: a layer, or a convolution with the batch norm and activation
 * fused into it. Counts are per sample; equal kernels cost the same, so plans keep each once.
 *
 * @param cls         the efficiency class
 * @param kind        the kind of the first layer
 * @param macs        multiply-accumulates
 * @param otherOps    arithmetic besides the MACs (element-wise ops, pooling adds)
 * @param inElements  activation elements read
 * @param outElements activation elements written
 * @param params      weights read
 * @param bits        bit width of the layer (32 for fp32 networks)
 * @param launches    kernel launches (an n-input add is n-1 binary adds)
 * @param outPixels   output pixels E*F (1 for linear layers)
 * @param outChannels output channels M
 * @param window      multiply-accumulates per output value R*S*C/groups (a pooling window for pools)
 * @param groups      convolution groups (1 otherwise)
 * @param onArray     true for kernels a systolic array runs (convolutions, linear layers)
 * @param activationBits bit width of the activations it reads and writes ({@code bits} is the weights')
 * @param host        true when the device's partitioning sends it to the host CPU whatever its kind (on an
 *                    Edge TPU, every kernel after the first op the accelerator cannot run)
 */
public record Kernel(KernelClass cls, LayerKind kind, long macs, long otherOps, long inElements, long outElements,
        long params, int bits, int launches, long outPixels, long outChannels, long window, int groups,
        boolean onArray, int activationBits, boolean host) {

    /** A kernel the device's partitioning leaves where its kind and bits put it. */
    public Kernel(KernelClass cls, LayerKind kind, long macs, long otherOps, long inElements, long outElements,
            long params, int bits, int launches, long outPixels, long outChannels, long window, int groups,
            boolean onArray, int activationBits) {
        this(cls, kind, macs, otherOps, inElements, outElements, params, bits, launches, outPixels, outChannels,
                window, groups, onArray, activationBits, false);
    }

    /** A kernel whose weights and activations share one bit width. */
    public Kernel(KernelClass cls, LayerKind kind, long macs, long otherOps, long inElements, long outElements,
            long params, int bits, int launches, long outPixels, long outChannels, long window, int groups,
            boolean onArray) {
        this(cls, kind, macs, otherOps, inElements, outElements, params, bits, launches, outPixels, outChannels,
                window, groups, onArray, bits);
    }

    /** This kernel sent to the host CPU by the device's partitioning. */
    public Kernel onHost() {
        return new Kernel(cls, kind, macs, otherOps, inElements, outElements, params, bits, launches, outPixels,
                outChannels, window, groups, onArray, activationBits, true);
    }

    /** The wider of the weight and activation bit widths: the precision its MACs run at. */
    public int macBits() {
        return Math.max(bits, activationBits);
    }

    /** Arithmetic operations per sample (a MAC counts as two). */
    public double ops() {
        return 2.0 * macs + otherOps;
    }

    /** Bytes of activations read and written for {@code batch} samples at {@code bitWidth}. */
    public double activationBytes(int batch, int bitWidth) {
        return (double) (inElements + outElements) * batch * bitWidth / 8.0;
    }

    /** Bytes of weights at {@code bitWidth}. */
    public double weightBytes(int bitWidth) {
        return (double) params * bitWidth / 8.0;
    }
}
