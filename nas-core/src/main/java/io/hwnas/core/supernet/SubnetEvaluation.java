package io.hwnas.core.supernet;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.BatchNormCalibration;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.InferenceEngine;
import io.hwnas.core.djl.NetworkBlock;
import java.util.Arrays;
import java.util.Objects;

/**
 * Measures a subnet of a {@link MobilenetSupernet} with its inherited weights, as Once-for-All does: extract
 * the subnet ({@link MobilenetSupernet#extract}, a copy of the weights it uses), recalibrate its batch-norm
 * statistics on a few training batches ({@link BatchNormCalibration}: the exact mean and population variance of
 * each layer's input over those batches), then count top-1 on held-out validation images in inference mode, on
 * an {@link InferenceEngine} (by default ONNX Runtime where the command line provides it, else the PyTorch engine).
 *
 * <p>The calibration images are the first {@code bnBatches x bnBatchSize} images of a permutation of the
 * training set seeded by {@code seed}, the same for every subnet; the validation images are the first
 * {@code validationImages} of the split's validation set, in order. Both are converted to floats once per
 * resolution: at the supernet's largest when the evaluation is built, at another of its {@link
 * SupernetSpec#resolutions() resolutions} when a subnet first needs it (the same images, resized by the batcher).
 * The same inputs give the same result bit for bit at a fixed PyTorch thread count on the calling thread (nothing
 * draws from DJL's global random generator). Thread-safe: {@link #evaluate} reads the
 * supernet's parameters and never writes them, and every array it makes lives in its own manager, so threads
 * may evaluate subnets of one supernet at once (while no thread trains it).
 */
public final class SubnetEvaluation {

    /**
     * One subnet's measurement.
     *
     * @param subnet            the subnet measured
     * @param top1              top-1 on the validation images, in percent
     * @param loss              mean cross-entropy on the validation images
     * @param calibrationImages training images the batch-norm statistics were computed on
     * @param validationImages  validation images counted
     * @param seconds           wall time of the extraction, recalibration and validation
     */
    public record Result(Architecture subnet, double top1, double loss, int calibrationImages, int validationImages,
            double seconds) {
    }

    private final MobilenetSupernet supernet;
    private final String validationName;
    private final int classes;
    private final int batchSize;
    private final int[] calibration;
    /** The calibration and validation images at each resolution served, converted when first needed. */
    private final java.util.Map<Integer, Inputs> inputs = new java.util.concurrent.ConcurrentHashMap<>();
    private final ImageBatcher batcher;
    private final ImageDataset.Split data;
    private final int evalBatch;
    private final int[] labels;
    private final boolean channelsLast;
    private final InferenceEngine engine;

    private SubnetEvaluation(Builder b) {
        this.supernet = b.supernet;
        SupernetSpec spec = supernet.spec();
        ImageDataset train = b.data.train();
        ImageDataset validation = b.data.validation();
        if (train.classes() != spec.classes() || validation.classes() != spec.classes()) {
            throw new IllegalArgumentException("the supernet has " + spec.classes() + " classes, but " + train.name()
                    + " has " + train.classes());
        }
        int images = b.bnBatches * b.bnBatchSize;
        if (images > train.size()) {
            throw new IllegalArgumentException(b.bnBatches + " calibration batches of " + b.bnBatchSize
                    + " images need " + images + " training images, but " + train.name() + " has " + train.size());
        }
        io.hwnas.core.ir.Shape input = new io.hwnas.core.ir.Shape(spec.channels(), spec.resolution(), spec.resolution());
        ImageBatcher batcher = b.batcher != null ? b.batcher : ImageBatcher.fitted(train, input);
        if (!batcher.target().equals(input)) {
            throw new IllegalArgumentException("the batcher makes inputs of " + batcher.target() + ", but the supernet "
                    + "takes " + input);
        }
        this.validationName = validation.name();
        this.classes = spec.classes();
        this.batchSize = b.bnBatchSize;
        this.calibration = Arrays.copyOf(ImageDataset.permutation(train.size(), b.seed), images);
        this.batcher = batcher;
        this.data = b.data;
        this.evalBatch = b.evalBatch;
        this.labels = new int[Math.min(b.validationImages, validation.size())];
        Arrays.setAll(labels, validation::label);
        inputs(spec.resolution());
        this.channelsLast = b.channelsLast;
        this.engine = b.engine != null ? b.engine : InferenceEngine.preferred();
    }

    /** The calibration and validation batches at one resolution, and the image shape they hold. */
    private record Inputs(Shape image, float[][] calibration, float[][] validation) {
    }

    private Inputs inputs(int r) {
        return inputs.computeIfAbsent(r, k -> {
            io.hwnas.core.ir.Shape at = new io.hwnas.core.ir.Shape(batcher.target().channels(), r, r);
            ImageBatcher b = batcher.at(at);
            int[] first = new int[labels.length];
            Arrays.setAll(first, i -> i);
            return new Inputs(new Shape(at.channels(), r, r), fill(b, data.train(), calibration, batchSize),
                    fill(b, data.validation(), first, evalBatch));
        });
    }

    private static float[][] fill(ImageBatcher batcher, ImageDataset data, int[] indices, int batch) {
        float[][] out = new float[(indices.length + batch - 1) / batch][];
        for (int k = 0; k < out.length; k++) {
            out[k] = batcher.fill(data, indices, k * batch, Math.min(indices.length, (k + 1) * batch));
        }
        return out;
    }

    /** A builder over a supernet and a split: training images for calibration, held-out images for top-1. */
    public static Builder builder(MobilenetSupernet supernet, ImageDataset.Split data) {
        return new Builder(supernet, data);
    }

    public MobilenetSupernet supernet() {
        return supernet;
    }

    /** The indices, into the split's training set, of the calibration images, batch after batch. */
    public int[] calibrationIndices() {
        return calibration.clone();
    }

    /** How many validation images each evaluation counts. */
    public int validationImages() {
        return labels.length;
    }

    /** Names the validation images counted, e.g. "the first 5000 images of fashion-mnist". */
    public String describeValidation() {
        return "the first " + labels.length + " images of the validation set of " + validationName;
    }

    /**
     * Extracts a subnet, recalibrates its batch-norm statistics and measures its top-1.
     *
     * @throws IllegalArgumentException naming the subnet, if it is outside the supernet's elastic range
     * @throws IllegalStateException if a validation logit is NaN or infinite
     */
    public Result evaluate(Architecture subnet) {
        supernet.spec().check(subnet);
        long start = System.nanoTime();
        double[] v = Autograd.withoutGradients(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                return validate(calibrateIn(subnet, m), subnet, inputs(supernet.spec().space().resolution(subnet)));
            }
        });
        return new Result(subnet, v[0], v[1], calibration.length, labels.length, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The subnet as a standalone block in {@code manager} (the caller owns and closes it) holding the supernet's
     * weights and the recalibrated batch-norm statistics: what {@link #evaluate} measures, for export or
     * fine-tuning.
     *
     * @throws IllegalArgumentException naming the subnet, if it is outside the supernet's elastic range
     */
    public NetworkBlock calibrated(Architecture subnet, NDManager manager) {
        supernet.spec().check(subnet);
        return Autograd.withoutGradients(() -> calibrateIn(subnet, manager));
    }

    private NetworkBlock calibrateIn(Architecture subnet, NDManager manager) {
        NetworkBlock block = supernet.extract(subnet, manager).channelsLast(channelsLast);
        BatchNormCalibration bn = new BatchNormCalibration(block);
        Inputs in = inputs(supernet.spec().space().resolution(subnet));
        for (float[] batch : in.calibration()) {
            try (NDManager step = manager.newSubManager()) {
                long n = batch.length / in.image().size();
                bn.add(step.create(batch, new Shape(n, in.image().get(0), in.image().get(1), in.image().get(2))));
            }
        }
        bn.apply();
        return block;
    }

    /**
     * Top-1 in percent and mean cross-entropy (log-softmax in double) over the validation images, in inference
     * mode on the evaluation's {@link InferenceEngine} at the PyTorch engine's thread count.
     */
    private double[] validate(NetworkBlock block, Architecture subnet, Inputs in) {
        Shape image = in.image();
        long correct = 0;
        double loss = 0;
        int offset = 0;
        try (InferenceEngine.Session session = engine.open(block, DjlRuntime.threads())) {
            for (float[] batch : in.validation()) {
                long n = batch.length / image.size();
                float[] logits = session.logits(batch, new long[] {n, image.get(0), image.get(1), image.get(2)});
                for (int j = 0; j < n; j++) {
                    int best = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < classes; c++) {
                        float z = logits[j * classes + c];
                        if (!Float.isFinite(z)) {
                            throw new IllegalStateException("subnet " + subnet + ": validation logits became " + z
                                    + " at image " + (offset + j + 1) + " of " + labels.length);
                        }
                        best = z > logits[j * classes + best] ? c : best;
                        max = Math.max(max, z);
                    }
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        sum += Math.exp(logits[j * classes + c] - max);
                    }
                    correct += best == labels[offset + j] ? 1 : 0;
                    loss += max + Math.log(sum) - logits[j * classes + labels[offset + j]];
                }
                offset += (int) n;
            }
        }
        return new double[] {100.0 * correct / labels.length, loss / labels.length};
    }

    /** Options of a {@link SubnetEvaluation}; every one has a default. */
    public static final class Builder {

        private final MobilenetSupernet supernet;
        private final ImageDataset.Split data;
        private int bnBatches = 16;
        private int bnBatchSize = 64;
        private int validationImages = 5000;
        private int evalBatch = 100;
        private long seed;
        private ImageBatcher batcher;
        private boolean channelsLast;
        private InferenceEngine engine;

        private Builder(MobilenetSupernet supernet, ImageDataset.Split data) {
            this.supernet = Objects.requireNonNull(supernet, "supernet");
            this.data = Objects.requireNonNull(data, "data");
        }

        /** Calibration batches (default 16). */
        public Builder bnBatches(int n) {
            bnBatches = positive("bn_batches", n);
            return this;
        }

        /** Images per calibration batch (default 64). */
        public Builder bnBatchSize(int n) {
            bnBatchSize = positive("bn_batch_size", n);
            return this;
        }

        /** Validation images counted (default 5,000; fewer if the validation set is smaller). */
        public Builder validationImages(int n) {
            validationImages = positive("validation_images", n);
            return this;
        }

        /**
         * Images per validation forward pass (default 100: on this project's loaded 2-core machine, when validation
         * ran on the PyTorch engine, one evaluation at the size took 7.6 s median with 100, 11.4 s with 50
         * and 9.6-12.5 s with 500; in ONNX Runtime it takes 1.8 s with 100 on the quiet machine).
         */
        public Builder evalBatch(int n) {
            evalBatch = positive("eval_batch", n);
            return this;
        }

        /** The seed of the calibration images' permutation (default 0). */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /** The image normalisation (default: fitted to the training set, at the supernet's input). */
        public Builder batcher(ImageBatcher b) {
            batcher = Objects.requireNonNull(b, "batcher");
            return this;
        }

        /**
         * Whether activations run channels-last ({@link NetworkBlock#channelsLast()}); default false, contiguous:
         * every subnet brings new convolution shapes, and on this project's 2-core machine the first evaluation
         * of a subnet took 38-106 s channels-last (each new shape's layout check and oneDNN kernels) against
         * 10-14 s contiguous, for 8.5 against 9.6 s median once the shapes had been seen.
         */
        public Builder channelsLast(boolean on) {
            channelsLast = on;
            return this;
        }

        /**
         * The engine the validation images run on (default {@link InferenceEngine#preferred()}: ONNX Runtime where
         * the command line provides it). Extraction and batch-norm recalibration run on the PyTorch engine.
         */
        public Builder engine(InferenceEngine e) {
            engine = Objects.requireNonNull(e, "engine");
            return this;
        }

        public SubnetEvaluation build() {
            return new SubnetEvaluation(this);
        }

        private static int positive(String what, int n) {
            if (n <= 0) {
                throw new IllegalArgumentException(what + " must be positive, but was " + n);
            }
            return n;
        }
    }
}
