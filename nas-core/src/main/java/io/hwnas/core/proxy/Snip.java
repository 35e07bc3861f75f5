package io.hwnas.core.proxy;

import ai.djl.ndarray.NDArray;

/** SNIP (Lee et al. 2019): the connection sensitivity {@code sum |w * dL/dw|} over conv and linear weights. */
public final class Snip extends GradientProxy {

    @Override
    public String name() {
        return "snip";
    }

    @Override
    double weightScore(NDArray weight, NDArray gradient) {
        return weight.mul(gradient).abs().sum().getFloat();
    }
}
