package io.hwnas.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.BatchNormCalibration;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.FrozenInference;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.Scalars;
import io.hwnas.core.djl.WeightInheritance;
import io.hwnas.core.data.Augmentation;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Short supervised training of an IR network on DJL: SGD with momentum, weight decay and a
 * warm-up + cosine schedule, then top-1 on the validation set. Every DJL resource of a run lives
 * in one manager closed at the end, and each step in a sub-manager, so runs do not grow memory.
 */
public final class Training {

    private static final Logger LOG = LoggerFactory.getLogger(Training.class);

    private Training() {
    }

    /** Trains a freshly initialised network; see {@link #train(Network, ImageDataset.Split, TrainOptions, long, Path)}. */
    public static TrainResult train(Network network, ImageDataset.Split data, TrainOptions options, long seed) {
        return train(network, data, options, seed, null);
    }

    /**
     * Trains a freshly initialised network (DJL's engine seeded from {@code seed}; batches shuffled
     * from {@code seed}) and validates it.
     *
     * @param saveWeights where to write the trained parameters ({@link Weights}), or {@code null}
     * @throws IllegalArgumentException if the network's classes differ from the dataset's
     * @throws TrainingDivergedException if a training loss or a validation logit becomes NaN or infinite
     */
    public static TrainResult train(Network network, ImageDataset.Split data, TrainOptions options, long seed,
            Path saveWeights) {
        return train(network, data, options, seed, saveWeights, null);
    }

    /**
     * Trains as {@link #train(Network, ImageDataset.Split, TrainOptions, long, Path)} does, but starts
     * from {@code parent}'s trained weights ({@link WeightInheritance}: the parent's strongest channels
     * where the network is narrower) instead of a fresh initialisation.
     *
     * @param parent the wider network and its weights file, or {@code null} to start fresh
     * @throws IllegalArgumentException if the parent's weights cannot seed this network
     */
    public static TrainResult train(Network network, ImageDataset.Split data, TrainOptions options, long seed,
            Path saveWeights, ParentWeights parent) {
        requireClasses(network, data);
        ImageBatcher batcher = ImageBatcher.fitted(data.train(), network.inputShape());
        int total = options.totalSteps(data.train().size());
        return Autograd.exclusive(seed, () -> {
            if (options.threads() > 0) {
                DjlRuntime.setThreads(options.threads());
            }
            return run(network, data, batcher, options, seed, parent, new Segment(0, total, total, null, null),
                    saveWeights);
        });
    }

    /**
     * Trains steps {@code segment.from()} to {@code segment.to()} of a schedule of {@code segment.total()}
     * steps (multi-fidelity rungs): from a fresh initialisation when {@code from} is 0, else from the
     * weights and momentum {@code segment.resume()} holds ({@link Checkpoint}); saves both to
     * {@code segment.save()}. The learning rate and the batch order depend only on the step number and
     * {@code seed}, so training 0 to a then a to b gives what training 0 to b straight gives.
     *
     * @throws IllegalArgumentException if the checkpoint to resume from is missing or for another network
     */
    public static TrainResult trainSegment(Network network, ImageDataset.Split data, TrainOptions options, long seed,
            Segment segment) {
        requireClasses(network, data);
        ImageBatcher batcher = ImageBatcher.fitted(data.train(), network.inputShape());
        return Autograd.exclusive(seed, () -> {
            if (options.threads() > 0) {
                DjlRuntime.setThreads(options.threads());
            }
            return run(network, data, batcher, options, seed, null, segment, null);
        });
    }

    private static void requireClasses(Network network, ImageDataset.Split data) {
        int classes = network.outputShape().channels();
        if (classes != data.train().classes()) {
            throw new IllegalArgumentException("the network has " + classes + " outputs, but " + data.train().name()
                    + " has " + data.train().classes() + " classes");
        }
    }

    /** The steps of one training call: all of them, or one rung's ({@link #trainSegment}). */
    private static TrainResult run(Network network, ImageDataset.Split data, ImageBatcher batcher, TrainOptions o,
            long seed, ParentWeights parent, Segment seg, Path saveWeights) {
        long start = System.nanoTime();
        ImageDataset train = data.train();
        int batch = Math.min(o.batch(), train.size());
        int perEpoch = Math.max(1, train.size() / batch);
        int total = seg.total();
        List<Double> curve = new ArrayList<>(seg.to() - seg.from());
        long trainNanos = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(network, manager, DataType.FLOAT32, batch);
            if (parent != null) {
                try (NDManager scratch = manager.newSubManager()) {
                    WeightInheritance.inherit(Weights.load(parent.network(), scratch, parent.file()), block);
                }
            }
            ParameterStore store = new ParameterStore(manager, false);
            List<Parameter> params = block.trainable();
            NDArray[] velocity = seg.resume() != null ? Checkpoint.load(block, manager, seg.resume())
                    : zeros(params, manager);
            Shape inShape = DjlNetworks.inputShape(network, batch);
            int[] order = null;
            for (int t = seg.from(); t < seg.to(); t++) {
                int pos = t % perEpoch;
                if (pos == 0 || order == null) {
                    order = ImageDataset.permutation(train.size(), seed * 31 + t / perEpoch);
                }
                long s0 = System.nanoTime();
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = step.create(batcher.fill(train, order, pos * batch, pos * batch + batch, o.augment(),
                            o.augment().none() ? null : Augmentation.generator(seed, t)), inShape);
                    NDArray y = step.create(oneHot(train, order, pos * batch, batch, classesOf(network)),
                            new Shape(batch, classesOf(network)));
                    double lr = o.rate(t, total);
                    double loss = step(block, store, params, velocity, x, y, o, lr, step);
                    if (!Double.isFinite(loss)) {
                        throw new TrainingDivergedException(String.format(java.util.Locale.ROOT,
                                "training loss became %s at step %d of %d (learning rate %.4g)",
                                TrainingDivergedException.kind(loss), t + 1, total, lr));
                    }
                    curve.add(loss);
                }
                trainNanos += System.nanoTime() - s0;
            }
            if (o.bnCalibration() > 0) {
                calibrate(block, manager, train, batcher, Math.min(o.bnCalibration(), perEpoch), batch, inShape, seed);
            }
            double[] val = validate(block, store, manager, data.validation(), batcher, o.evalBatch(), network);
            if (seg.save() != null) {
                Checkpoint.save(block, velocity, seg.save());
            } else if (saveWeights != null) {
                Weights.save(block, saveWeights);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            long images = (long) (seg.to() - seg.from()) * batch;
            LOG.debug("trained steps {} to {} of {} in {} s: top1 {}", seg.from(), seg.to(), total, wall, val[0]);
            return new TrainResult(val[0], val[1], curve, seg.to(), images, wall,
                    images / (Math.max(1, trainNanos) / 1e9));
        }
    }

    /**
     * One training step on a batch: forward in training mode, cross-entropy against the one-hot
     * labels {@code y}, backward, SGD update ({@code velocity}: the momentum of each of {@code params}, zeros to
     * start). Returns the loss.
     */
    public static double step(NetworkBlock block, ParameterStore store, List<Parameter> params, NDArray[] velocity, NDArray x,
            NDArray y, TrainOptions o, double lr, NDManager step) {
        NDArray loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = block.forward(store, new NDList(x), true).singletonOrThrow();
            loss = Scalars.div(logits.logSoftmax(1).mul(y).sum(), -x.getShape().get(0));
            gc.backward(loss);
        }
        double value = loss.getFloat();
        update(params, velocity, o, lr, step);
        return value;
    }

    private static NDArray[] zeros(List<Parameter> params, NDManager manager) {
        NDArray[] velocity = new NDArray[params.size()];
        for (int i = 0; i < velocity.length; i++) {
            velocity[i] = manager.zeros(params.get(i).getArray().getShape());
        }
        return velocity;
    }

    private static int classesOf(Network network) {
        return network.outputShape().channels();
    }

    private static float[] oneHot(ImageDataset d, int[] order, int from, int batch, int classes) {
        float[] y = new float[batch * classes];
        for (int j = 0; j < batch; j++) {
            y[j * classes + d.label(order[from + j])] = 1f;
        }
        return y;
    }

    /** One SGD step: g += wd * w; v = m * v + g; w -= lr * (nesterov ? g + m * v : v). */
    private static void update(List<Parameter> params, NDArray[] velocity, TrainOptions o, double lr, NDManager step) {
        float m = (float) o.momentum();
        for (int i = 0; i < params.size(); i++) {
            NDArray w = params.get(i).getArray();
            if (!w.hasGradient()) {
                continue;
            }
            NDArray g = scoped(w.getGradient(), step);
            NDArray d = o.weightDecay() > 0 ? g.add(scoped(w.mul((float) o.weightDecay()), step)) : g;
            NDArray v = velocity[i];
            v.muli(m).addi(d);
            NDArray dir = o.nesterov() ? d.add(scoped(v.mul(m), step)) : scoped(v.mul(1f), step);
            w.subi(dir.muli((float) lr));
            g.muli(0f);
        }
    }

    /** Moves an array created on a long-lived array's manager into the step's manager. */
    static NDArray scoped(NDArray a, NDManager step) {
        a.attach(step);
        return a;
    }

    /**
     * Replaces every batch-norm layer's running statistics by the exact mean and variance of its input over
     * {@code batches} batches of training images ({@link BatchNormCalibration}), drawn by a permutation seeded
     * with the candidate's seed and apart from the training order. The statistics play no part in training
     * (training-mode batch norm normalises by each batch's own), so a run continued from a checkpoint after this
     * trains exactly as one that never validated.
     */
    private static void calibrate(NetworkBlock block, NDManager manager, ImageDataset train, ImageBatcher batcher,
            int batches, int batch, Shape inShape, long seed) {
        BatchNormCalibration bn = new BatchNormCalibration(block);
        int[] order = ImageDataset.permutation(train.size(), seed * 31 - 1);
        for (int b = 0; b < batches; b++) {
            try (NDManager step = manager.newSubManager()) {
                bn.add(step.create(batcher.fill(train, order, b * batch, b * batch + batch), inShape));
            }
        }
        bn.apply();
    }

    /**
     * Top-1 in percent and mean cross-entropy on {@code data}, in evaluation mode.
     *
     * @throws TrainingDivergedException if a logit is NaN or infinite
     */
    public static double[] validate(NetworkBlock block, ParameterStore store, NDManager manager, ImageDataset data,
            ImageBatcher batcher, int evalBatch, Network network) {
        int[] all = ImageDataset.permutation(data.size(), 0);
        java.util.Arrays.sort(all);
        long correct = 0;
        double lossSum = 0;
        int classes = classesOf(network);
        // the weights stay as they are meanwhile: freeze them (batch norms folded) unless fake quantisation rewrites them
        try (FrozenInference frozen = block.macHook() == null ? FrozenInference.of(block) : null) {
            for (int from = 0; from < data.size(); from += evalBatch) {
                int to = Math.min(data.size(), from + evalBatch);
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = step.create(batcher.fill(data, all, from, to),
                            DjlNetworks.inputShape(network, to - from));
                    NDArray logits = frozen != null ? frozen.forward(x)
                            : block.forward(store, new NDList(x), false).singletonOrThrow();
                    float[] lp = logits.logSoftmax(1).toFloatArray();
                    requireFinite(lp, from, classes, data.size());
                    for (int j = 0; j < to - from; j++) {
                        int label = data.label(from + j);
                        int best = 0;
                        for (int c = 1; c < classes; c++) {
                            if (lp[j * classes + c] > lp[j * classes + best]) {
                                best = c;
                            }
                        }
                        correct += best == label ? 1 : 0;
                        lossSum -= lp[j * classes + label];
                    }
                }
            }
        }
        return new double[] {100.0 * correct / data.size(), lossSum / data.size()};
    }

    /** Fails when a validation log-probability is NaN or infinite (the logits were not finite). */
    private static void requireFinite(float[] logp, int from, int classes, int images) {
        for (int k = 0; k < logp.length; k++) {
            if (!Float.isFinite(logp[k])) {
                throw new TrainingDivergedException(String.format(java.util.Locale.ROOT,
                        "validation logits became %s at image %d of %d (class %d)",
                        TrainingDivergedException.kind(logp[k]), from + k / classes + 1, images, k % classes));
            }
        }
    }
}
