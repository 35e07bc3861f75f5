package io.hwnas.core.proxy;

import io.hwnas.core.ir.Network;

/**
 * A zero-cost proxy: a score of an untrained network that ranks architectures by their expected
 * trained accuracy (higher is better). Implementations are stateless; each score runs in its own
 * NDManager scope.
 */
public interface ZeroCostProxy {

    /** The proxy's name, e.g. {@code synflow}. */
    String name();

    /** Whether the proxy reads a data batch (otherwise {@code batch} may be null). */
    boolean needsData();

    /**
     * Scores one network.
     *
     * @param batch the inputs and labels (for proxies that need data)
     * @param seed  seeds the weight initialisation
     */
    double score(Network network, ProxyBatch batch, long seed);
}
