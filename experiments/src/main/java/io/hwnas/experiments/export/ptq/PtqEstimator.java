package io.hwnas.experiments.export.ptq;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.accuracy.EstimatorOptions;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.quant.PercentileRange;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.experiments.export.CompressedExport;
import io.hwnas.experiments.export.CompressedWeights;
import io.hwnas.experiments.export.graph.Logits;
import io.hwnas.experiments.export.graph.OrtModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Post-training quantisation measured for real: a compressed candidate starts from one trained base network
 * (options {@code weights}, {@code arch}), is pruned by weight inheritance, its activation ranges are calibrated on
 * a seeded sample of training images (min/max, or with {@code calibration: percentile} clipped at option
 * {@code percentile}, 99.99 by default: {@link PercentileRange}), and its mixed-precision QDQ model ({@link CompressedExport}) is run in ONNX
 * Runtime (as written: QDQ transformers off) on the validation images the base network's training held out; the
 * value is that top-1 in percent. The data split and the input normalisation are the {@code train} estimator's for
 * the same {@code dataset}, {@code dir}, {@code train_size} and {@code val_size}, so they are the base network's
 * when it was trained with {@code hwnas train} or the {@code train} estimator with those options.
 */
public final class PtqEstimator implements AccuracyEstimator {

    private static final Set<String> ALLOWED = Set.of("weights", "arch", "dataset", "dir", "train_size", "val_size",
            "calibration_images", "validation_images", "batch", "threads", "calibration", "percentile");

    private final String weights;
    private final String arch;
    private final String dataset;
    private final String dir;
    private final int trainSize;
    private final int valSize;
    private final int calibrationImages;
    private final int validationImages;
    private final int batch;
    private final int threads;
    /** The calibration percentile (100: min/max; {@link PercentileRange}). */
    private final double percentile;
    private final Shape input;
    private final int classes;

    public PtqEstimator() {
        this(null, null, "fashion-mnist", null, 0, 5000, 256, 1000, 256, 1, 100, null, 0);
    }

    private PtqEstimator(String weights, String arch, String dataset, String dir, int trainSize, int valSize,
            int calibrationImages, int validationImages, int batch, int threads, double percentile, Shape input,
            int classes) {
        this.weights = weights;
        this.arch = arch;
        this.dataset = dataset;
        this.dir = dir;
        this.trainSize = trainSize;
        this.valSize = valSize;
        this.calibrationImages = calibrationImages;
        this.validationImages = validationImages;
        this.batch = batch;
        this.threads = threads;
        this.percentile = percentile;
        this.input = input;
        this.classes = classes;
    }

    @Override
    public String name() {
        return "ptq";
    }

    @Override
    public PtqEstimator withOptions(Map<String, ?> options) {
        EstimatorOptions o = new EstimatorOptions("accuracy estimator ptq", options, ALLOWED);
        return new PtqEstimator(o.text("weights", weights), o.text("arch", arch),
                o.string("dataset", dataset, Datasets.NAMES), o.text("dir", dir),
                o.integer("train_size", trainSize, 0, Integer.MAX_VALUE), o.integer("val_size", valSize, 1,
                        Integer.MAX_VALUE), o.integer("calibration_images", calibrationImages, 1, 1_000_000),
                o.integer("validation_images", validationImages, 0, Integer.MAX_VALUE),
                o.integer("batch", batch, 1, 65536), o.integer("threads", threads, 1, 4096),
                PercentileRange.fromOptions(o, options, percentile, "accuracy estimator ptq"), input, classes);
    }

    @Override
    public PtqEstimator forNetwork(Shape in, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("a network needs at least 1 class, but was given " + k);
        }
        return new PtqEstimator(weights, arch, dataset, dir, trainSize, valSize, calibrationImages, validationImages,
                batch, threads, percentile, java.util.Objects.requireNonNull(in, "input"), k);
    }

    /** Checks that the options name a trained network of the run's space. */
    @Override
    public PtqEstimator forSpace(SearchSpace space) {
        required();
        base(space).parse(arch);
        return this;
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> out = new LinkedHashMap<>(Options.ordered("weights", weights == null ? "" : weights,
                "arch", arch == null ? "" : arch, "dataset", dataset, "dir", dir == null ? "" : dir, "train_size", trainSize, "val_size", valSize,
                "calibration_images", calibrationImages, "validation_images", validationImages, "batch", batch,
                "threads", threads));
        if (percentile < 100) { // min/max runs keep the options they were recorded with
            out.put("calibration", "percentile");
            out.put("percentile", percentile);
        }
        return out;
    }

    @Override
    public boolean isAccuracy() {
        return true;
    }

    private void required() {
        if (weights == null || arch == null) {
            throw new IllegalArgumentException("accuracy estimator ptq: options weights (the trained base network's"
                    + " file) and arch (its architecture string) are required");
        }
    }

    private static SearchSpace base(SearchSpace space) {
        return space instanceof CompressedSpace cs ? cs.base() : space;
    }

    /** The training split the base network was trained on and its held-out validation images. */
    private ImageDataset.Split data() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("dataset", dataset);
        if (dir != null) {
            o.put("dir", dir);
        }
        o.put("train_size", trainSize);
        o.put("val_size", valSize);
        return new TrainEstimator().withOptions(o).data();
    }

    /**
     * @throws IllegalArgumentException when the candidate's base architecture is not the trained network's (naming
     *                                  both), or the weights file fits neither network (naming it)
     */
    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed) {
        required();
        long t0 = System.nanoTime();
        Architecture base = space instanceof CompressedSpace cs ? cs.baseArchitecture(architecture) : architecture;
        String trained = base(space).parse(arch).canonical();
        if (!base.canonical().equals(trained)) {
            throw new IllegalArgumentException("accuracy estimator ptq: the candidate's base architecture "
                    + base.canonical() + " is not the trained network's " + trained + " (option arch)");
        }
        ImageDataset.Split data = data();
        int k = classes > 0 ? classes : data.train().classes();
        Shape in = input != null ? input : space.defaultInput();
        try (NDManager m = NDManager.newBaseManager()) {
            CompressedWeights.Loaded w = CompressedWeights.load(space, architecture, in, k, Path.of(weights), seed, m);
            Shape net = w.block().network().inputShape();
            ImageBatcher batcher = ImageBatcher.fitted(data.train(), net);
            int n = Math.min(calibrationImages, data.train().size());
            int[] order = ImageDataset.permutation(data.train().size(), seed);
            float[] cal = batcher.fill(data.train(), order, 0, n);
            CompressedExport.Exported e = CompressedExport.export(space, architecture, in, k, w.block(), null, cal, n,
                    percentile, Map.of());
            byte[] model = e.model().toByteArray();
            double top1 = top1(model, data.validation(), batcher, net);
            int v = validationImages == 0 ? data.validation().size() : Math.min(validationImages,
                    data.validation().size());
            return new Estimate(100 * top1, "top1:" + dataset + ":ptq", Map.of("calibration", percentile < 100
                    ? "percentile " + percentile : "minmax", "calibration_images", n,
                    "validation_images", v, "model_bytes", model.length, "weights_from", w.source(), "wall_s",
                    (System.nanoTime() - t0) / 1e9));
        }
    }

    /** Top-1 of the model in ONNX Runtime on the first {@code validation_images} validation images, batched. */
    private double top1(byte[] model, ImageDataset val, ImageBatcher batcher, Shape net) {
        int n = validationImages == 0 ? val.size() : Math.min(validationImages, val.size());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        int correct = 0;
        try (OrtModel ort = new OrtModel(model, threads, true, true)) {
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                float[] x = batcher.fill(val, idx, from, to);
                float[] y = ort.run(x, new long[] {to - from, net.channels(), net.height(), net.width()});
                int width = y.length / (to - from);
                for (int i = from; i < to; i++) {
                    correct += Logits.argmax(y, i - from, width) == val.label(i) ? 1 : 0;
                }
            }
        }
        return correct / (double) n;
    }
}
