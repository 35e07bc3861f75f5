package io.hwnas.core.proxy;

import ai.djl.ndarray.NDArray;

/** grad_norm: the sum over conv and linear layers of the L2 norm of the weight gradient. */
public final class GradNorm extends GradientProxy {

    @Override
    public String name() {
        return "grad_norm";
    }

    @Override
    double weightScore(NDArray weight, NDArray gradient) {
        return Math.sqrt(gradient.square().sum().getFloat());
    }
}
