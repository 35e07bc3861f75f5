package io.hwnas.core.proxy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.build.DjlModels;
import io.hwnas.core.build.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.train.Autograd;

/**
 * The proxies that back-propagate the cross-entropy of one batch through the freshly initialised
 * network (training-mode batch norm, as NASLib runs them) and read the weight gradients.
 */
abstract class GradientProxy implements ZeroCostProxy {

    @Override
    public boolean needsData() {
        return true;
    }

    @Override
    public double score(Network network, ProxyBatch batch, long seed) {
        if (batch == null) {
            throw new IllegalArgumentException(name() + " needs a data batch");
        }
        return Autograd.exclusive(seed, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlModels.initialized(network, m, DataType.FLOAT32, batch.size());
                NDArray x = input(m, network, batch);
                int classes = network.outputShape().channels();
                float[] hot = new float[batch.size() * classes];
                for (int i = 0; i < batch.size(); i++) {
                    hot[i * classes + batch.labels()[i] % classes] = 1f;
                }
                NDArray y = m.create(hot, new Shape(batch.size(), classes));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                    gc.backward(logits.logSoftmax(1).mul(y).sum().div(-batch.size()));
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
        });
    }

    /** The contribution of one convolution or linear weight with its gradient. */
    abstract double weightScore(NDArray weight, NDArray gradient);

    static NDArray input(NDManager m, Network network, ProxyBatch batch) {
        Shape shape = DjlModels.inputShape(network, batch.size());
        if (shape.size() != batch.images().length) {
            throw new IllegalArgumentException("the proxy batch holds inputs of " + batch.shape()
                    + ", but the network takes " + network.inputShape());
        }
        return m.create(batch.images(), shape);
    }
}
