package io.hwnas.core.proxy;

import io.hwnas.core.ir.Network;

/** The baselines read from the IR without running the network: parameters or MACs, in millions. */
public final class CountProxy implements ZeroCostProxy {

    private final boolean flops;

    private CountProxy(boolean flops) {
        this.flops = flops;
    }

    public static CountProxy params() {
        return new CountProxy(false);
    }

    /** Multiply-accumulates for one input (the NB201 "FLOPs" convention). */
    public static CountProxy flops() {
        return new CountProxy(true);
    }

    @Override
    public String name() {
        return flops ? "flops" : "params";
    }

    @Override
    public boolean needsData() {
        return false;
    }

    @Override
    public double score(Network network, ProxyBatch batch, long seed) {
        return (flops ? network.macs() : network.params()) / 1e6;
    }
}
