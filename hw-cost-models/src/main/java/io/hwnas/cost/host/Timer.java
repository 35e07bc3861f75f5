package io.hwnas.cost.host;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.djl.Autograd;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times a real DJL forward pass of an IR network on this host: warm-up runs, then the median of repeats.
 *
 * <p>A timing never races a training in another thread: it runs under {@link Autograd#isolated}
 * (the lock seeded trainings hold; PyTorch's intra-op thread count restored), and its weights and
 * inputs come from a seeded Java generator, so it never draws from (or reseeds) DJL's global random
 * generator.
 */
public final class Timer {

    /** Seed of the weights and inputs of every timing. */
    static final long SEED = 0x7157L;

    private Timer() {
    }

    /** Median milliseconds of {@code repeats} forward passes after {@code warmup} untimed ones. */
    public static double medianMs(Network network, int batch, int warmup, int repeats) {
        if (warmup < 0 || repeats <= 0) {
            throw new IllegalArgumentException("warm-up must be >= 0 and repeats > 0, but were " + warmup + " and "
                    + repeats);
        }
        return Autograd.isolated(() -> time(network, batch, warmup, repeats));
    }

    private static double time(Network network, int batch, int warmup, int repeats) {
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.block(network);
            block.setInitializer(new Gaussian(SEED), p -> p.getType() == Parameter.Type.WEIGHT);
            Shape in = DjlNetworks.inputShape(network, batch);
            block.initialize(m, DataType.FLOAT32, in);
            ParameterStore store = new ParameterStore(m, false);
            float[] input = gaussian(SEED + 1, Math.toIntExact(in.size()), 1);
            double[] t = new double[repeats];
            for (int i = 0; i < warmup + repeats; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.create(input, in);
                    long start = System.nanoTime();
                    NDArray y = block.forward(store, new NDList(x), false).singletonOrThrow();
                    y.toFloatArray(); // wait for the result
                    long end = System.nanoTime();
                    if (i >= warmup) {
                        t[i - warmup] = (end - start) / 1e6;
                    }
                }
            }
            Arrays.sort(t);
            return t[repeats / 2];
        }
    }

    /** {@code n} normal values of standard deviation {@code sd} from a seeded Java generator. */
    static float[] gaussian(long seed, int n, double sd) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (nextGaussian(r) * sd);
        }
        return v;
    }

    private static double nextGaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble(); // (0, 1]
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** He-normal weights (sd sqrt(2 / fan-in)) from a seeded Java generator, never DJL's. */
    private record Gaussian(long seed) implements Initializer {
        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
            float[] v = gaussian(seed ^ shape.size() * 31 ^ shape.hashCode(), Math.toIntExact(shape.size()),
                    Math.sqrt(2.0 / Math.max(1, fanIn)));
            return manager.create(v, shape).toType(dataType, false);
        }
    }
}
