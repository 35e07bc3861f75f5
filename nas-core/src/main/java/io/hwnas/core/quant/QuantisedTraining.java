package io.hwnas.core.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.BatchNormCalibration;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.WeightInheritance;
import io.hwnas.core.ir.Network;
import io.hwnas.core.train.TrainOptions;
import io.hwnas.core.train.Training;
import io.hwnas.core.train.TrainingDivergedException;
import io.hwnas.core.train.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Quantisation-aware fine-tuning of a compressed network from a trained uncompressed one: the compressed network
 * inherits the trained weights ({@link WeightInheritance}: the channels with the largest L2 norms where it is
 * pruned, or the first ones where the start says its channels are ordered, as a supernet's are), its batch-norm
 * statistics are recomputed on training batches, each MAC layer's input range is calibrated (minimum and maximum
 * over a few training batches, weights already quantised), the post-training quantised top-1 is measured, then
 * {@code steps} SGD steps with fake quantisation and straight-through gradients follow, batch norm is recomputed
 * once more (with quantisation on) and the validation top-1 is measured with fake quantisation. Every DJL resource
 * lives in one manager closed before it returns; the same seed gives the same result at a fixed thread count.
 */
public final class QuantisedTraining {

    /** The trained uncompressed network to start from, loaded into a manager the caller closes. */
    @FunctionalInterface
    public interface Start {
        NetworkBlock load(NDManager manager);

        /**
         * Whether the channels the convolution {@code conv} writes are ordered by importance already, so that
         * pruning keeps the first ones ({@link WeightInheritance#inherit(NetworkBlock, NetworkBlock,
         * java.util.function.Predicate)}); none by default.
         */
        default boolean orderedChannels(String conv) {
            return false;
        }

        /** {@code load}, with the channels of the convolutions {@code ordered} accepts ordered already. */
        static Start ordered(Start load, java.util.function.Predicate<String> ordered) {
            return new Start() {
                @Override
                public NetworkBlock load(NDManager manager) {
                    return load.load(manager);
                }

                @Override
                public boolean orderedChannels(String conv) {
                    return ordered.test(conv);
                }
            };
        }
    }

    /**
     * The outcome.
     *
     * @param top1    validation top-1 in percent with fake quantisation, after fine-tuning
     * @param loss    mean validation cross-entropy then
     * @param ptqTop1 validation top-1 with fake quantisation before fine-tuning (post-training quantisation)
     * @param ranges  the activation range of each MAC layer's input, by layer name
     * @param losses  the training loss of each step
     * @param seconds wall time
     */
    public record Result(double top1, double loss, double ptqTop1, Map<String, ActivationRange> ranges,
            List<Double> losses, double seconds) {
    }

    private QuantisedTraining() {
    }

    /**
     * Calibrates, fine-tunes and validates {@code compressed} from {@code start}; writes the fine-tuned float
     * weights of the compressed network ({@link Weights}) to {@code saveWeights} and the ranges ({@link RangesFile})
     * to {@code saveRanges} when they are not null.
     *
     * @throws IllegalArgumentException if the start cannot seed the compressed network or the classes differ
     * @throws TrainingDivergedException if a training loss or a validation logit is NaN or infinite
     */
    public static Result run(Network compressed, Start start, ImageDataset.Split data, QatSettings s, long seed,
            Path saveWeights, Path saveRanges) {
        int classes = compressed.outputShape().channels();
        if (classes != data.train().classes()) {
            throw new IllegalArgumentException("the network has " + classes + " outputs, but " + data.train().name()
                    + " has " + data.train().classes() + " classes");
        }
        ImageBatcher batcher = ImageBatcher.fitted(data.train(), compressed.inputShape());
        return Autograd.exclusive(seed, () -> {
            if (s.threads() > 0) {
                DjlRuntime.setThreads(s.threads());
            }
            long t0 = System.nanoTime();
            try (NDManager m = NDManager.newBaseManager()) {
                Batches b = new Batches(data.train(), batcher, Math.min(s.batch(), data.train().size()), seed,
                        DjlNetworks.inputShape(compressed, Math.min(s.batch(), data.train().size())));
                NetworkBlock block = DjlNetworks.initialized(compressed, m, DataType.FLOAT32, b.batch);
                boolean distil = s.distils() && s.steps() > 0;
                NetworkBlock teacher;
                try (NDManager scratch = m.newSubManager()) {
                    NetworkBlock started = start.load(distil ? m : scratch); // kept as the teacher when distilling
                    WeightInheritance.inherit(started, block, start::orderedChannels);
                    teacher = distil ? started : null;
                }
                FakeQuantisation q = calibrate(block, m, b, s);
                ParameterStore store = new ParameterStore(m, false);
                double[] ptq = Training.validate(block, store, m, data.validation(), batcher, s.evalBatch(), compressed);
                List<Double> losses = fineTune(block, teacher, store, m, q, b, s);
                double[] val = ptq;
                if (s.steps() > 0) {
                    recalibrate(block, m, b, s.bnBatches());
                    val = Training.validate(block, store, m, data.validation(), batcher, s.evalBatch(), compressed);
                }
                if (saveWeights != null) {
                    Weights.save(block, saveWeights);
                }
                if (saveRanges != null) {
                    RangesFile.write(saveRanges, q.ranges());
                }
                return new Result(val[0], val[1], ptq[0], q.ranges(), losses, (System.nanoTime() - t0) / 1e9);
            }
        });
    }

    /** Batch norm recomputed in float after pruning, then fake quantisation installed and its ranges observed. */
    private static FakeQuantisation calibrate(NetworkBlock block, NDManager m, Batches b, QatSettings s) {
        recalibrate(block, m, b, s.bnBatches());
        FakeQuantisation q = FakeQuantisation.install(block, s.clippedSte()).percentile(s.percentile()).observe(true);
        ParameterStore store = new ParameterStore(m, false);
        for (int k = 0; k < s.calibrationBatches(); k++) {
            try (NDManager step = m.newSubManager()) {
                block.forward(store, new NDList(b.calibration(step, k)), false);
            }
        }
        return q.observe(false);
    }

    /** Recomputes every batch-norm layer's statistics exactly over {@code batches} calibration batches (0: none). */
    private static void recalibrate(NetworkBlock block, NDManager m, Batches b, int batches) {
        if (batches == 0) {
            return;
        }
        BatchNormCalibration bn = new BatchNormCalibration(block);
        for (int k = 0; k < batches; k++) {
            try (NDManager step = m.newSubManager()) {
                bn.add(b.calibration(step, k));
            }
        }
        bn.apply();
    }

    /** The fine-tuning steps; {@code teacher} (null: none) is the float start network distilled from. */
    private static List<Double> fineTune(NetworkBlock block, NetworkBlock teacher, ParameterStore store, NDManager m,
            FakeQuantisation q, Batches b, QatSettings s) {
        List<Double> losses = new ArrayList<>();
        if (s.steps() == 0) {
            return losses;
        }
        TrainOptions o = new TrainOptions(1, s.steps(), b.batch, s.learningRate(), s.momentum(), false,
                s.weightDecay(), 0, s.evalBatch(), s.threads());
        List<Parameter> params = block.trainable();
        NDArray[] velocity = new NDArray[params.size()];
        for (int i = 0; i < velocity.length; i++) {
            velocity[i] = m.zeros(params.get(i).getArray().getShape());
        }
        q.ema(s.ema());
        if (s.learnedRanges()) {
            q.learn(m);
        } else if (s.pact()) {
            q.learnPact(m, s.weightDecay());
        }
        int classes = block.network().outputShape().channels();
        for (int t = 0; t < s.steps(); t++) {
            try (NDManager step = m.newSubManager()) {
                NDArray[] xy = b.training(step, t, classes);
                if (teacher != null) {
                    xy[1] = softTargets(teacher, store, xy[0], xy[1], s.distill());
                }
                double lr = o.rate(t, s.steps());
                double loss = Training.step(block, store, params, velocity, xy[0], xy[1], o, lr, step);
                if (!Double.isFinite(loss)) {
                    throw new TrainingDivergedException(String.format(Locale.ROOT,
                            "quantisation-aware training loss became %s at step %d of %d (learning rate %.4g)",
                            Double.isNaN(loss) ? "NaN" : "infinite", t + 1, s.steps(), lr));
                }
                losses.add(loss);
                if (s.learnedRanges() || s.pact()) {
                    q.stepLearned(lr, step);
                }
            }
        }
        q.ema(0);
        q.stopLearning();
        return losses;
    }

    /**
     * {@code (1 - w) * oneHot + w * softmax(teacher(x))}: the teacher runs in inference mode (running batch-norm
     * statistics, no fake quantisation) outside any gradient recording, so it stays fixed.
     */
    static NDArray softTargets(NetworkBlock teacher, ParameterStore store, NDArray x, NDArray oneHot, double w) {
        NDArray p = teacher.forward(store, new NDList(x), false).singletonOrThrow().softmax(1).stopGradient();
        return oneHot.mul((float) (1 - w)).add(p.mul((float) w));
    }

    /** Seeded batches of training images: calibration ones apart from the training order, as {@link Training}'s. */
    private static final class Batches {

        private final ImageDataset train;
        private final ImageBatcher batcher;
        private final int batch;
        private final long seed;
        private final Shape shape;
        private final int perEpoch;
        private final int[] calibrationOrder;
        private int[] order;
        private int epoch = -1;

        Batches(ImageDataset train, ImageBatcher batcher, int batch, long seed, Shape shape) {
            this.train = train;
            this.batcher = batcher;
            this.batch = batch;
            this.seed = seed;
            this.shape = shape;
            this.perEpoch = Math.max(1, train.size() / batch);
            this.calibrationOrder = ImageDataset.permutation(train.size(), seed * 31 - 1);
        }

        NDArray calibration(NDManager m, int k) {
            int from = (k % perEpoch) * batch;
            return m.create(batcher.fill(train, calibrationOrder, from, from + batch), shape);
        }

        /** Images and one-hot labels of step {@code t}. */
        NDArray[] training(NDManager m, int t, int classes) {
            if (t / perEpoch != epoch) {
                epoch = t / perEpoch;
                order = ImageDataset.permutation(train.size(), seed * 31 + epoch);
            }
            int from = (t % perEpoch) * batch;
            float[] y = new float[batch * classes];
            for (int j = 0; j < batch; j++) {
                y[j * classes + train.label(order[from + j])] = 1f;
            }
            return new NDArray[] {m.create(batcher.fill(train, order, from, from + batch), shape),
                m.create(y, new Shape(batch, classes))};
        }
    }
}
