package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import io.hwnas.core.ir.Layer;

/**
 * Rewrites what a {@link NetworkBlock}'s convolutions and linear layers (its layers with MACs) compute: the input
 * each reads and the weight each multiplies by, e.g. fake quantisation ({@code io.hwnas.core.quant}). Installed with
 * {@link NetworkBlock#macHook}; without one the block runs exactly as it always has.
 */
public interface MacHook {

    /** The input MAC layer {@code layer} reads instead of {@code x}: {@code x} itself to leave it. */
    NDArray input(Layer layer, NDArray x, boolean training);

    /** The weight MAC layer {@code layer} multiplies by instead of {@code weight}: {@code weight} itself to leave it. */
    NDArray weight(Layer layer, NDArray weight, boolean training);
}
