package io.hwnas.core.proxy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.Scalars;
import io.hwnas.core.djl.NetworkBlock;

/**
 * The proxies that back-propagate the cross-entropy of one batch through the freshly initialised
 * network (training-mode batch norm, as NASLib runs them) and read the weight gradients.
 */
abstract class GradientProxy extends BatchProxy {

    @Override
    final double score(NDManager m, NetworkBlock block, NDArray x, ProxyBatch batch) {
        int classes = block.network().outputShape().channels();
        float[] hot = new float[batch.size() * classes];
        for (int i = 0; i < batch.size(); i++) {
            hot[i * classes + batch.labels()[i] % classes] = 1f;
        }
        NDArray y = m.create(hot, new Shape(batch.size(), classes));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
            gc.backward(Scalars.div(logits.logSoftmax(1).mul(y).sum(), -batch.size()));
        }
        double total = 0;
        for (Parameter p : block.trainable()) {
            NDArray w = p.getArray();
            if (p.getType() == Parameter.Type.WEIGHT && w.hasGradient()) {
                total += weightScore(w, w.getGradient());
            }
        }
        return total;
    }

    /** The contribution of one convolution or linear weight with its gradient. */
    abstract double weightScore(NDArray weight, NDArray gradient);
}
