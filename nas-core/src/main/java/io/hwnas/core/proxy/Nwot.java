package io.hwnas.core.proxy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.hwnas.core.build.DjlModels;
import io.hwnas.core.build.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.train.Autograd;
import java.util.EnumSet;
import java.util.Set;

/**
 * NASWOT (Mellor et al. 2021): the log-determinant of the kernel {@code K[i][j]} = number of
 * rectifier units on which inputs i and j agree (both active or both inactive), summed over every
 * rectifier of the network, for one batch in training mode.
 */
public final class Nwot implements ZeroCostProxy {

    private static final Set<LayerKind> GATES = EnumSet.of(LayerKind.RELU, LayerKind.RELU6, LayerKind.HSWISH);

    @Override
    public String name() {
        return "nwot";
    }

    @Override
    public boolean needsData() {
        return true;
    }

    @Override
    public double score(Network network, ProxyBatch batch, long seed) {
        if (batch == null) {
            throw new IllegalArgumentException("nwot needs a data batch");
        }
        int n = batch.size();
        return Autograd.exclusive(seed, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlModels.initialized(network, m, DataType.FLOAT32, n);
                NDArray[] values = block.forwardLayers(new ParameterStore(m, false),
                        GradientProxy.input(m, network, batch), true, null);
                NDArray k = m.zeros(new ai.djl.ndarray.types.Shape(n, n));
                for (Layer l : network.layers()) {
                    if (GATES.contains(l.kind())) {
                        NDArray c = values[l.id()].reshape(n, -1).gt(0).toType(DataType.FLOAT32, false);
                        NDArray off = c.sub(1f).neg();
                        k.addi(c.dot(c.transpose())).addi(off.dot(off.transpose()));
                    }
                }
                return Matrices.logAbsDet(k.toType(DataType.FLOAT64, false).toDoubleArray(), n);
            }
        });
    }
}
