package io.hwnas.core.djl;

import io.hwnas.core.plugin.Named;
import io.hwnas.core.plugin.Registry;

/**
 * Runs a trained network's inference for evaluations that only read logits (a supernet's subnet scoring): the
 * block's current weights and batch-norm statistics, in inference mode. {@code djl} runs it on the PyTorch engine
 * ({@link DjlInference}); the command line adds {@code onnxruntime} (the block exported to ONNX with batch norm
 * folded, run in ONNX Runtime), found with {@link java.util.ServiceLoader}. Both compute the same function; their
 * float32 results differ in the last bits, so a top-1 can move by an image whose two best logits tie that closely.
 */
public interface InferenceEngine extends Named {

    /** An open engine over one block: logits of flattened batches of shape (N, C, H, W). */
    interface Session extends AutoCloseable {

        /** The logits of a batch, flattened (N x classes). */
        float[] logits(float[] batch, long[] shape);

        @Override
        void close();
    }

    /**
     * A session over the block's weights as they are now (later changes to the block may not be seen); the caller
     * closes it.
     *
     * @param threads intra-op threads
     */
    Session open(NetworkBlock block, int threads);

    /** The engines on the class path, by name. */
    static Registry<InferenceEngine> registry() {
        return Engines.REGISTRY;
    }

    /** The fastest engine on the class path: {@code onnxruntime} where the command line provides it, else {@code djl}. */
    static InferenceEngine preferred() {
        return registry().contains("onnxruntime") ? registry().get("onnxruntime") : registry().get("djl");
    }

    /** Holds the registry, loaded once. */
    final class Engines {

        static final Registry<InferenceEngine> REGISTRY = Registry.load("inference engine", InferenceEngine.class);

        private Engines() {
        }
    }
}
