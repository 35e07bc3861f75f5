package io.hwnas.core.proxy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;

/**
 * SynFlow (Tanaka et al. 2020), data-free: in float64 with every weight replaced by its absolute
 * value and batch norm in inference mode (fresh statistics), the sum of the outputs for an
 * all-ones input is back-propagated and {@code sum |w * dR/dw|} over convolution and linear
 * weights is taken. The score is its natural logarithm, as NASLib stores it (floored at
 * {@code ln(Double.MIN_NORMAL)} for networks whose output ignores every weight).
 */
public final class Synflow implements ZeroCostProxy {

    @Override
    public String name() {
        return "synflow";
    }

    @Override
    public boolean needsData() {
        return false;
    }

    @Override
    public double score(Network network, ProxyBatch batch, long seed) {
        return Autograd.exclusive(seed, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(network, m, DataType.FLOAT64, 1);
                for (Parameter p : block.trainable()) {
                    NDArray w = p.getArray();
                    w.muli(w.sign());
                }
                NDArray x = m.ones(DjlNetworks.inputShape(network, 1), DataType.FLOAT64);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
                    gc.backward(out.sum());
                }
                double sum = 0;
                for (Parameter p : block.trainable()) {
                    if (p.getType() == Parameter.Type.WEIGHT && p.getArray().hasGradient()) {
                        NDArray w = p.getArray();
                        sum += w.mul(w.getGradient()).abs().sum().getDouble();
                    }
                }
                return Math.log(Math.max(sum, Double.MIN_NORMAL));
            }
        });
    }
}
