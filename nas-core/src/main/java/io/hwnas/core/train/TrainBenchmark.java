package io.hwnas.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.hwnas.core.build.DjlModels;
import io.hwnas.core.build.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.proxy.ProxyBatch;
import io.hwnas.core.proxy.Synflow;
import java.util.List;

/**
 * Throughput of one network on DJL, measured as the Python peer ({@code peer_torch_bench.py})
 * does: SGD training steps and inference passes on one fixed random batch (3 warm-up passes,
 * then {@code steps} timed), and seconds per synflow score (a fresh network each time).
 */
public final class TrainBenchmark {

    /** The three figures; rates in images per second. */
    public record Result(double trainImagesPerSecond, double inferImagesPerSecond, double synflowSecondsPerArch,
            double synflowScore) {
    }

    private TrainBenchmark() {
    }

    public static Result run(Network network, int batch, int steps, int synflowRuns, long seed) {
        double[] rates = Autograd.exclusive(seed, () -> rates(network, batch, steps, seed));
        Synflow synflow = new Synflow();
        double score = synflow.score(network, null, seed);
        long t0 = System.nanoTime();
        for (int i = 0; i < synflowRuns; i++) {
            score = synflow.score(network, null, seed + i);
        }
        double synS = (System.nanoTime() - t0) / 1e9 / synflowRuns;
        return new Result(rates[0], rates[1], synS, score);
    }

    private static double[] rates(Network network, int batch, int steps, long seed) {
        int classes = network.outputShape().channels();
        ProxyBatch data = ProxyBatch.gaussian(batch, network.inputShape(), classes, seed);
        float[] hot = new float[batch * classes];
        for (int i = 0; i < batch; i++) {
            hot[i * classes + data.labels()[i]] = 1f;
        }
        TrainOptions o = new TrainOptions(1, steps, batch, 0.05, 0.9, false, 0, 0, batch, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlModels.initialized(network, m, DataType.FLOAT32, batch);
            ParameterStore store = new ParameterStore(m, false);
            List<Parameter> params = block.trainable();
            NDArray[] velocity = new NDArray[params.size()];
            for (int i = 0; i < velocity.length; i++) {
                velocity[i] = m.zeros(params.get(i).getArray().getShape());
            }
            NDArray x = m.create(data.images(), DjlModels.inputShape(network, batch));
            NDArray y = m.create(hot, new Shape(batch, classes));
            long t0 = 0;
            for (int i = 0; i < steps + 3; i++) {
                if (i == 3) {
                    t0 = System.nanoTime();
                }
                try (NDManager step = m.newSubManager()) {
                    x.tempAttach(step);
                    y.tempAttach(step);
                    Training.step(block, store, params, velocity, x, y, o, 0.05, step);
                }
            }
            double train = (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
            for (int i = 0; i < steps + 3; i++) {
                if (i == 3) {
                    t0 = System.nanoTime();
                }
                try (NDManager step = m.newSubManager()) {
                    x.tempAttach(step);
                    block.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
                }
            }
            double infer = (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
            return new double[] {train, infer};
        }
    }
}
