package io.hwnas.core.proxy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * NASWOT (Mellor et al. 2021): the log-determinant of the kernel {@code K[i][j]} = number of
 * rectifier units on which inputs i and j agree (both active or both inactive), summed over every
 * rectifier of the network, for one batch in training mode.
 */
public final class Nwot extends BatchProxy {

    private static final Set<LayerKind> GATES = EnumSet.of(LayerKind.RELU, LayerKind.RELU6, LayerKind.HSWISH);

    @Override
    public String name() {
        return "nwot";
    }

    @Override
    double score(NDManager m, NetworkBlock block, NDArray x, ProxyBatch batch) {
        Network network = block.network();
        NDArray[] values = block.forwardLayers(new ParameterStore(m, false), x, true, null);
        // Gates of one kind on the same input (NB201 applies a ReLU on every edge leaving a node)
        // compute the same codes: each distinct gate counts once, times its multiplicity.
        Map<String, Integer> index = new LinkedHashMap<>();
        List<NDArray> gates = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Layer l : network.layers()) {
            if (GATES.contains(l.kind())) {
                Integer i = index.putIfAbsent(l.kind() + "" + l.inputs(), gates.size());
                if (i == null) {
                    gates.add(values[l.id()]);
                    counts.add(1);
                } else {
                    counts.set(i, counts.get(i) + 1);
                }
            }
        }
        int n = batch.size();
        return Matrices.logAbsDet(kernel(m, gates, counts, n).toType(DataType.FLOAT64, false).toDoubleArray(), n);
    }

    /**
     * The agreement kernel of the gates' outputs (first axis: the n inputs), gate g counted
     * {@code counts[g]} times. With the binary codes c (n x d) of a gate, {@code c c^T + (1-c)(1-c)^T
     * = 2 c c^T - r 1^T - 1 r^T + d}, where r holds the row sums of c: one matrix product per gate
     * instead of two.
     */
    static NDArray kernel(NDManager m, List<NDArray> gates, List<Integer> counts, int n) {
        NDArray products = m.zeros(new Shape(n, n));
        NDArray active = m.zeros(new Shape(n, 1));
        double units = 0;
        for (int g = 0; g < gates.size(); g++) {
            float w = counts.get(g);
            NDArray c = gates.get(g).reshape(n, -1).gt(0).toType(DataType.FLOAT32, false);
            products.addi(c.dot(c.transpose()).muli(w));
            active.addi(c.sum(new int[] {1}, true).muli(w));
            units += w * c.getShape().get(1);
        }
        return products.mul(2f).sub(active).sub(active.transpose()).add((float) units);
    }
}
