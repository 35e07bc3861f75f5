package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * Inference on the PyTorch engine: the block's forward pass in inference mode with gradients off, its weights
 * frozen as the session opens ({@link FrozenInference}: batch norms folded, zero edges skipped), at the engine's
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
        // the session's weights stay as they are: freeze them (batch norms folded) unless fake quantisation rewrites them
        FrozenInference frozen = block.macHook() == null ? FrozenInference.of(block) : null;
        return new Session() {
            @Override
            public float[] logits(float[] batch, long[] shape) {
                return Autograd.withoutGradients(() -> {
                    try (NDManager step = manager.newSubManager()) {
                        NDArray x = step.create(batch, new Shape(shape));
                        return (frozen != null ? frozen.forward(x)
                                : block.forward(new ParameterStore(step, false), new NDList(x), false)
                                        .singletonOrThrow()).toFloatArray();
                    }
                });
            }

            @Override
            public void close() {
                if (frozen != null) {
                    frozen.close();
                }
                manager.close();
            }
        };
    }
}
