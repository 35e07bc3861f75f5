package io.hwnas.core.proxy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;

/**
 * A proxy that runs one data batch through the freshly initialised DJL network: each score builds
 * the network in its own NDManager (closed afterwards), seeded, under the autograd lock.
 */
abstract class BatchProxy implements ZeroCostProxy {

    @Override
    public final boolean needsData() {
        return true;
    }

    @Override
    public final double score(Network network, ProxyBatch batch, long seed) {
        if (batch == null) {
            throw new IllegalArgumentException(name() + " needs a data batch");
        }
        return Autograd.exclusive(seed, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(network, m, DataType.FLOAT32, batch.size());
                return score(m, block, input(m, network, batch), batch);
            }
        });
    }

    /** The score of the initialised {@code block} on the batch's inputs {@code x} (created on {@code m}). */
    abstract double score(NDManager m, NetworkBlock block, NDArray x, ProxyBatch batch);

    static NDArray input(NDManager m, Network network, ProxyBatch batch) {
        Shape shape = DjlNetworks.inputShape(network, batch.size());
        if (shape.size() != batch.images().length) {
            throw new IllegalArgumentException("the proxy batch holds inputs of " + batch.shape()
                    + ", but the network takes " + network.inputShape());
        }
        return m.create(batch.images(), shape);
    }
}
