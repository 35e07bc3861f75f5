package io.hwnas.core.djl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.ir.Network;

/** Turns IR networks into DJL blocks; the only entry from the IR into DJL. */
public final class DjlNetworks {

    private DjlNetworks() {
    }

    /** An uninitialised block for the network. */
    public static NetworkBlock block(Network network) {
        return new NetworkBlock(network);
    }

    /**
     * A block with its parameters initialised in {@code manager} for inputs of {@code batch} samples.
     * The caller owns the manager and closes it.
     */
    public static NetworkBlock initialized(Network network, NDManager manager, DataType dataType, int batch) {
        NetworkBlock block = block(network);
        block.initialize(manager, dataType, inputShape(network, batch));
        return block;
    }

    /** The DJL input shape (N, C, H, W) of the network. */
    public static Shape inputShape(Network network, long batch) {
        io.hwnas.core.ir.Shape s = network.inputShape();
        return new Shape(batch, s.channels(), s.height(), s.width());
    }
}
