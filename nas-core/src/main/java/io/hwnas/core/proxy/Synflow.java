package io.hwnas.core.proxy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;

/**
 * SynFlow (Tanaka et al. 2020), data-free: in float64 with every weight replaced by its absolute
 * value (drawn in float32, then widened) and batch norm in inference mode (fresh statistics), the sum of the outputs for an
 * all-ones input is back-propagated and {@code sum |w * dR/dw|} over convolution and linear
 * weights is taken. The score is its natural logarithm, as NASLib stores it (floored at
 * {@code ln(Double.MIN_NORMAL)} for networks whose output ignores every weight).
 *
 * <p>It runs on one intra-op thread whatever the engine's setting (restored afterwards): its batch is one
 * image, and libtorch's float64 convolutions parallelise over the batch, so a second thread adds only the
 * fork and join of every elementwise operation (measured: slower on two threads than on one).
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
        return Autograd.exclusive(seed, () -> DjlRuntime.withThreads(1, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.block(network);
                for (Parameter p : block.getParameters().values()) {
                    if (p.getInitializer() != null) {
                        p.setInitializer(absoluteFromFloat32(p.getInitializer()));
                    }
                }
                block.initialize(m, DataType.FLOAT64, DjlNetworks.inputShape(network, 1));
                NDArray x = m.ones(DjlNetworks.inputShape(network, 1), DataType.FLOAT64);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
                    gc.backward(out.sum());
                }
                NDList terms = new NDList();
                for (Parameter p : block.trainable()) {
                    if (p.getType() == Parameter.Type.WEIGHT && p.getArray().hasGradient()) {
                        NDArray w = p.getArray();
                        terms.add(w.mul(w.getGradient()).abs().sum());
                    }
                }
                double sum = terms.isEmpty() ? 0 : NDArrays.stack(terms).sum().getDouble();
                return Math.log(Math.max(sum, Double.MIN_NORMAL));
            }
        }));
    }

    /**
     * An initializer that draws as {@code init} does in float32 and widens the absolute values to the requested
     * type: float32 draws are about twice as fast as float64 ones (whose normal sampler goes through sin and cos
     * per value), and a float32 draw carries all the precision a random initial weight needs; the forward and
     * backward passes still run in float64, whose range synflow's products need.
     */
    private static Initializer absoluteFromFloat32(Initializer init) {
        return (manager, shape, type) -> {
            NDArray f = init.initialize(manager, shape, DataType.FLOAT32);
            NDArray wide = f.abs().toType(type, false);
            f.close();
            return wide;
        };
    }
}
