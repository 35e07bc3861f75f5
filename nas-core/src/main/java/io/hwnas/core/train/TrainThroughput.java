package io.hwnas.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.FrozenInference;
import io.hwnas.core.djl.InferenceEngine;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.proxy.ProxyBatch;
import io.hwnas.core.proxy.Synflow;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import java.util.List;

/**
 * Throughput of one network on DJL, measured as the Python peer ({@code peer_torch_bench.py})
 * does: SGD training steps and inference passes (the trained weights frozen, as hwnas's DJL inference runs them:
 * {@link FrozenInference}) on one fixed random batch (3 warm-up passes,
 * then {@code steps} timed), and seconds per synflow score (a fresh network each time). Each
 * figure is the median of {@code rounds} such measurements, since one 20-step round on a shared
 * machine varies by 20% or more.
 */
public final class TrainThroughput {

    /**
     * The figures (medians over rounds); rates in images per second.
     *
     * @param engineInferImagesPerSecond inference passes of the trained block on the plan's
     *     {@link InferenceEngine} (NaN without one)
     */
    public record Result(double trainImagesPerSecond, double inferImagesPerSecond, double synflowSecondsPerArch,
            double synflowScore, double engineInferImagesPerSecond) {
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
     * @param engine an inference engine whose passes over the same batch are timed too, or null
     */
    public record Plan(int batch, int steps, int synflowRuns, int rounds, boolean channelsLast, InferenceEngine engine) {
        public Plan {
            if (batch <= 0 || steps <= 0 || synflowRuns <= 0 || rounds <= 0) {
                throw new IllegalArgumentException("batch, steps, synflow runs and rounds must be positive");
            }
        }
    }

    private static final int WARM_UP = 3;
    private static final Median MEDIAN = new Median();

    private TrainThroughput() {
    }

    public static Result run(Network network, Plan plan, long seed) {
        double[][] seconds = Autograd.exclusive(seed, () -> stepSeconds(network, plan, seed));
        Synflow synflow = new Synflow();
        double[] score = {synflow.score(network, null, seed)};
        int[] run = {0};
        double[] synflowSeconds = rounds(plan.rounds(), 0, plan.synflowRuns(),
                () -> score[0] = synflow.score(network, null, seed + run[0]++ % plan.synflowRuns()));
        double images = plan.batch();
        return new Result(images / MEDIAN.evaluate(seconds[0]), images / MEDIAN.evaluate(seconds[1]),
                MEDIAN.evaluate(synflowSeconds), score[0], seconds[2] == null ? Double.NaN
                        : images / MEDIAN.evaluate(seconds[2]));
    }

    /** Seconds per training step, per inference pass and per engine pass (or null), one figure per round. */
    private static double[][] stepSeconds(Network network, Plan plan, long seed) {
        int batch = plan.batch();
        int classes = network.outputShape().channels();
        ProxyBatch data = ProxyBatch.gaussian(batch, network.inputShape(), classes, seed);
        float[] hot = new float[batch * classes];
        for (int i = 0; i < batch; i++) {
            hot[i * classes + data.labels()[i]] = 1f;
        }
        TrainOptions o = new TrainOptions(1, plan.steps(), batch, 0.05, 0.9, false, 0, 0, batch, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(network, m, DataType.FLOAT32, batch)
                    .channelsLast(plan.channelsLast());
            ParameterStore store = new ParameterStore(m, false);
            List<Parameter> params = block.trainable();
            NDArray[] velocity = new NDArray[params.size()];
            for (int i = 0; i < velocity.length; i++) {
                velocity[i] = m.zeros(params.get(i).getArray().getShape());
            }
            NDArray x = m.create(data.images(), DjlNetworks.inputShape(network, batch));
            NDArray y = m.create(hot, new Shape(batch, classes));
            double[] train = rounds(plan.rounds(), WARM_UP, plan.steps(), () -> {
                try (NDManager step = m.newSubManager()) {
                    x.tempAttach(step);
                    y.tempAttach(step);
                    Training.step(block, store, params, velocity, x, y, o, 0.05, step);
                }
            });
            double[] infer;
            try (FrozenInference frozen = FrozenInference.of(block)) {
                infer = rounds(plan.rounds(), WARM_UP, plan.steps(), () -> {
                    try (NDManager step = m.newSubManager()) {
                        x.tempAttach(step);
                        frozen.forward(x).toFloatArray();
                    }
                });
            }
            double[] engine = null;
            if (plan.engine() != null) {
                float[] images = data.images();
                long[] shape = DjlNetworks.inputShape(network, batch).getShape();
                try (InferenceEngine.Session session = plan.engine().open(block, DjlRuntime.threads())) {
                    engine = rounds(plan.rounds(), WARM_UP, plan.steps(), () -> session.logits(images, shape));
                }
            }
            return new double[][] {train, infer, engine};
        }
    }

    /** Seconds per call of {@code work} in each of {@code rounds} rounds of {@code warmUp} untimed + {@code calls} timed calls. */
    private static double[] rounds(int rounds, int warmUp, int calls, Runnable work) {
        double[] seconds = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < warmUp; i++) {
                work.run();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                work.run();
            }
            seconds[r] = (System.nanoTime() - t0) / 1e9 / calls;
        }
        return seconds;
    }
}
