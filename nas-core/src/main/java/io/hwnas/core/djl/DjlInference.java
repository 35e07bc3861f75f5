package io.hwnas.core.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * Inference on the PyTorch engine: the block's forward pass in inference mode with gradients off, at the engine's
 * thread count (the {@code threads} of a session are the engine's: {@link DjlRuntime#setThreads} is process-wide).
 */
public final class DjlInference implements InferenceEngine {

    @Override
    public String name() {
        return "djl";
    }

    @Override
    public Session open(NetworkBlock block, int threads) {
        NDManager manager = NDManager.newBaseManager();
        return new Session() {
            @Override
            public float[] logits(float[] batch, long[] shape) {
                return Autograd.withoutGradients(() -> {
                    try (NDManager step = manager.newSubManager()) {
                        return block.forward(new ParameterStore(step, false),
                                new NDList(step.create(batch, new Shape(shape))), false).singletonOrThrow()
                                .toFloatArray();
                    }
                });
            }

            @Override
            public void close() {
                manager.close();
            }
        };
    }
}
