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
import java.util.Arrays;
import java.util.List;

/**
 * Throughput of one network on DJL, measured as the Python peer ({@code peer_torch_bench.py})
 * does: SGD training steps and inference passes on one fixed random batch (3 warm-up passes,
 * then {@code steps} timed), and seconds per synflow score (a fresh network each time). Each
 * figure is the median of {@code rounds} such measurements, since one 20-step round on a shared
 * machine varies by 20% or more.
 */
public final class TrainBenchmark {

    /** The three figures (medians over rounds); rates in images per second. */
    public record Result(double trainImagesPerSecond, double inferImagesPerSecond, double synflowSecondsPerArch,
            double synflowScore) {
    }

    /**
     * What to measure.
     *
     * @param batch images per training step and inference pass
     * @param steps timed steps (and passes) per round
     * @param synflowRuns synflow scores timed per round
     * @param rounds rounds; each figure is the median over them
     * @param channelsLast whether training and inference passes run in channels-last layout
     *     ({@link NetworkBlock#channelsLast()})
     */
    public record Plan(int batch, int steps, int synflowRuns, int rounds, boolean channelsLast) {
        public Plan {
            if (batch <= 0 || steps <= 0 || synflowRuns <= 0 || rounds <= 0) {
                throw new IllegalArgumentException("batch, steps, synflow runs and rounds must be positive");
            }
        }
    }

    private static final int WARM_UP = 3;

    private TrainBenchmark() {
    }

    public static Result run(Network network, Plan plan, long seed) {
        double[][] rates = Autograd.exclusive(seed, () -> rates(network, plan, seed));
        Synflow synflow = new Synflow();
        double score = synflow.score(network, null, seed);
        double[] synflowSeconds = new double[plan.rounds()];
        for (int r = 0; r < plan.rounds(); r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < plan.synflowRuns(); i++) {
                score = synflow.score(network, null, seed + i);
            }
            synflowSeconds[r] = (System.nanoTime() - t0) / 1e9 / plan.synflowRuns();
        }
        return new Result(median(rates[0]), median(rates[1]), median(synflowSeconds), score);
    }

    private static double[][] rates(Network network, Plan plan, long seed) {
        int batch = plan.batch();
        int steps = plan.steps();
        int classes = network.outputShape().channels();
        ProxyBatch data = ProxyBatch.gaussian(batch, network.inputShape(), classes, seed);
        float[] hot = new float[batch * classes];
        for (int i = 0; i < batch; i++) {
            hot[i * classes + data.labels()[i]] = 1f;
        }
        TrainOptions o = new TrainOptions(1, steps, batch, 0.05, 0.9, false, 0, 0, batch, 0);
        double[] train = new double[plan.rounds()];
        double[] infer = new double[plan.rounds()];
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlModels.initialized(network, m, DataType.FLOAT32, batch)
                    .channelsLast(plan.channelsLast());
            ParameterStore store = new ParameterStore(m, false);
            List<Parameter> params = block.trainable();
            NDArray[] velocity = new NDArray[params.size()];
            for (int i = 0; i < velocity.length; i++) {
                velocity[i] = m.zeros(params.get(i).getArray().getShape());
            }
            NDArray x = m.create(data.images(), DjlModels.inputShape(network, batch));
            NDArray y = m.create(hot, new Shape(batch, classes));
            for (int r = 0; r < plan.rounds(); r++) {
                long t0 = 0;
                for (int i = 0; i < steps + WARM_UP; i++) {
                    if (i == WARM_UP) {
                        t0 = System.nanoTime();
                    }
                    try (NDManager step = m.newSubManager()) {
                        x.tempAttach(step);
                        y.tempAttach(step);
                        Training.step(block, store, params, velocity, x, y, o, 0.05, step);
                    }
                }
                train[r] = (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
            }
            for (int r = 0; r < plan.rounds(); r++) {
                long t0 = 0;
                for (int i = 0; i < steps + WARM_UP; i++) {
                    if (i == WARM_UP) {
                        t0 = System.nanoTime();
                    }
                    try (NDManager step = m.newSubManager()) {
                        x.tempAttach(step);
                        block.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
                    }
                }
                infer[r] = (double) batch * steps / ((System.nanoTime() - t0) / 1e9);
            }
            return new double[][] {train, infer};
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
