package io.hwnas.cost;

import io.hwnas.core.ir.Network;

/**
 * A cost model's allocation-free path for one device and batch: a network is compiled once into a
 * {@link CostRow} of primitive arrays, after which every estimate is arithmetic over those arrays,
 * equal to {@link CostModel#estimate} (to rounding of the summation order, 1e-12 relative). Not
 * thread-safe; {@link CostTable} serialises its use.
 */
public interface FastPath {

    /** Compiles a network into its row (the slow part, done once per distinct architecture). */
    CostRow compile(Network network);

    /**
     * Writes the latency (ms), energy (mJ, NaN when unknown), peak memory and model bytes and the
     * number of violations of a row to {@code out[at..at+4]}, as {@link CostTable}'s columns.
     */
    void cost(CostRow row, double[] out, int at);
}
