package io.hwnas.core.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** Activation ranges learned by gradient descent during fine-tuning ({@link LearnedRanges}, {@link PactClipping}). */
interface RangeLearner {

    /** The fake-quantised {@code x} of layer {@code name} at {@code bits}, differentiable in what is learned. */
    NDArray quantise(String name, NDArray x, int bits);

    /** One SGD step of rate {@code lr} (gradients then zeroed; temporaries in {@code step}); returns the ranges now. */
    Map<String, ActivationRange> step(double lr, NDManager step);
}
