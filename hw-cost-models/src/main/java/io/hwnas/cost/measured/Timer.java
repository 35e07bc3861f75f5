package io.hwnas.cost.measured;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.hwnas.core.build.DjlModels;
import io.hwnas.core.build.NetworkBlock;
import io.hwnas.core.ir.Network;
import java.util.Arrays;

/** Times a real DJL forward pass of an IR network on this host: warm-up runs, then the median of repeats. */
public final class Timer {

    private Timer() {
    }

    /** Median milliseconds of {@code repeats} forward passes after {@code warmup} untimed ones. */
    public static double medianMs(Network network, int batch, int warmup, int repeats) {
        if (warmup < 0 || repeats <= 0) {
            throw new IllegalArgumentException("warm-up must be >= 0 and repeats > 0, but were " + warmup + " and "
                    + repeats);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlModels.initialized(network, m, DataType.FLOAT32, batch);
            ParameterStore store = new ParameterStore(m, false);
            double[] t = new double[repeats];
            for (int i = 0; i < warmup + repeats; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.randomNormal(DjlModels.inputShape(network, batch));
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
}
