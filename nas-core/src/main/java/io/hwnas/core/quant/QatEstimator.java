package io.hwnas.core.quant;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.accuracy.EstimatorOptions;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.supernet.SupernetCheckpoint;
import io.hwnas.core.supernet.SupernetSpec;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.core.train.Weights;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accuracy estimator {@code qat}: the validation top-1 in percent, with fake quantisation, of a compressed candidate
 * fine-tuned by {@link QuantisedTraining} from a trained network: option {@code weights} (a file of {@code hwnas
 * train --save}) with {@code arch}, the base architecture it was trained for (a candidate whose base architecture
 * differs fails naming both), or option {@code checkpoint}, a supernet checkpoint of the mobilenet space whose
 * subnet weights the candidate starts from (where the candidate prunes a block's hidden channels, it keeps the
 * first ones, which the supernet's narrower expansions were trained on: {@link SupernetSpec#orderedChannels}; other
 * channels are kept by norm). Options: {@code dataset}, {@code dir}, {@code train_size},
 * {@code val_size} (with {@code weights}, as the {@code train} estimator's), {@code steps} (50), {@code batch} (64),
 * {@code lr} (0.005), {@code momentum} (0.9), {@code weight_decay} (0), {@code calibration_batches} (4),
 * {@code bn_batches} (8), {@code ste} ({@code clipped} or {@code plain}), {@code ema} (0), {@code ranges}
 * ({@code calibrated}; {@code learned} during fine-tuning; {@code pact}: learned clipping levels), {@code calibration}
 * ({@code minmax}, or {@code percentile} with option {@code percentile}, 99.99), {@code threads} (0),
 * {@code eval_batch} (256), {@code distill} (0: the weight of distillation from the start network, in [0, 1]; listed in
 * {@link #options} when above 0, so runs without it keep their options).
 */
public final class QatEstimator implements AccuracyEstimator {

    private static final Set<String> ALLOWED = Set.of("weights", "arch", "checkpoint", "dataset", "dir", "train_size",
            "val_size", "steps", "batch", "lr", "momentum", "weight_decay", "calibration_batches", "bn_batches", "ste",
            "ema", "threads", "eval_batch", "ranges", "calibration", "percentile", "distill");
    private static final Map<String, ImageDataset.Split> SUPERNET_SPLITS = new ConcurrentHashMap<>();

    private final Map<String, Object> data;
    private final String weights;
    private final String arch;
    private final SupernetCheckpoint checkpoint;
    private final QatSettings settings;
    private final Shape input;
    private final int classes;

    public QatEstimator() {
        this(Map.of("dataset", "fashion-mnist", "dir", "", "train_size", 0, "val_size", 5000), null, null, null,
                QatSettings.defaults(), null, 0);
    }

    private QatEstimator(Map<String, Object> data, String weights, String arch, SupernetCheckpoint checkpoint,
            QatSettings settings, Shape input, int classes) {
        this.data = data;
        this.weights = weights;
        this.arch = arch;
        this.checkpoint = checkpoint;
        this.settings = settings;
        this.input = input;
        this.classes = classes;
    }

    @Override
    public String name() {
        return "qat";
    }

    @Override
    public QatEstimator withOptions(Map<String, ?> options) {
        EstimatorOptions o = new EstimatorOptions("accuracy estimator qat", options, ALLOWED);
        String w = o.text("weights", weights);
        String a = o.text("arch", arch);
        String c = o.text("checkpoint", checkpoint == null ? null : checkpoint.dir().toString());
        requireStart(w, a, c, options);
        Map<String, Object> d = Options.ordered("dataset", o.string("dataset", (String) data.get("dataset"),
                Datasets.NAMES), "dir", o.text("dir", (String) data.get("dir")), "train_size", o.integer("train_size",
                        (Integer) data.get("train_size"), 0, Integer.MAX_VALUE), "val_size", o.integer("val_size",
                                (Integer) data.get("val_size"), 1, Integer.MAX_VALUE));
        QatSettings s;
        try {
            s = readSettings(o, options);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("accuracy estimator") ? e
                    : new IllegalArgumentException("accuracy estimator " + e.getMessage(), e);
        }
        if (c != null && s.bnBatches() == 0) {
            throw new IllegalArgumentException("accuracy estimator qat: bn_batches = 0 is not allowed with checkpoint "
                    + "(a subnet's batch-norm statistics must be recomputed); allowed 1..100000");
        }
        SupernetCheckpoint cp = c == null ? null : checkpoint != null && checkpoint.dir().toString().equals(c)
                ? checkpoint : readCheckpoint(c);
        return new QatEstimator(d, w, a, cp, s, input, classes);
    }

    private QatSettings readSettings(EstimatorOptions o, Map<String, ?> options) {
        QatSettings t = settings;
        double percentile = PercentileRange.fromOptions(o, options, t.percentile(), "qat");
        return new QatSettings(o.integer("steps", t.steps(), 0, 100_000_000), o.integer("batch", t.batch(), 1, 65536),
                o.number("lr", t.learningRate(), 1e-9, 100), o.number("momentum", t.momentum(), 0, 0.999999),
                o.number("weight_decay", t.weightDecay(), 0, 1), o.integer("calibration_batches",
                        t.calibrationBatches(), 1, 100_000), o.integer("bn_batches", t.bnBatches(), 0, 100_000),
                "clipped".equals(o.string("ste", t.clippedSte() ? "clipped" : "plain", java.util.List.of("clipped",
                        "plain"))), o.number("ema", t.ema(), 0, 0.999999), o.integer("threads", t.threads(), 0, 4096),
                o.integer("eval_batch", t.evalBatch(), 1, 65536), o.string("ranges", t.ranges(), QatSettings.RANGES),
                percentile, o.number("distill", t.distill(), 0, 1));
    }

    /** Exactly one start: weights with arch, or checkpoint (and then no dataset options). */
    private static void requireStart(String w, String a, String c, Map<String, ?> options) {
        String owner = "accuracy estimator qat: ";
        if (w != null && c != null) {
            throw new IllegalArgumentException(owner + "options weights and checkpoint exclude each other; give one");
        }
        if (w != null && (a == null || a.isBlank())) {
            throw new IllegalArgumentException(owner + "option weights needs option arch: the base architecture the "
                    + "weights file " + w + " was trained for");
        }
        if (c != null && a != null) {
            throw new IllegalArgumentException(owner + "option arch goes with weights, not with checkpoint (the "
                    + "supernet serves every subnet)");
        }
        for (String k : new String[] {"dataset", "dir", "train_size"}) {
            if (c != null && options != null && options.containsKey(k)) {
                throw new IllegalArgumentException(owner + "option " + k + " goes with weights; with checkpoint the "
                        + "data are the split the supernet was trained on");
            }
        }
    }

    private static SupernetCheckpoint readCheckpoint(String dir) {
        try {
            return SupernetCheckpoint.read(Path.of(dir));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("accuracy estimator qat: checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public QatEstimator forNetwork(Shape in, int outputs) {
        if (outputs < 1) {
            throw new IllegalArgumentException("a network needs at least 1 class, but was given " + outputs);
        }
        return new QatEstimator(data, weights, arch, checkpoint, settings, java.util.Objects.requireNonNull(in, "input"),
                outputs);
    }

    @Override
    public Map<String, Object> options() {
        return Options.merged(Options.ordered("weights", weights == null ? "" : weights, "arch", arch == null ? ""
                : arch, "checkpoint", checkpoint == null ? "" : checkpoint.dir().toString()), Options.merged(data,
                        Options.merged(Options.ordered("steps", settings.steps(), "batch", settings.batch(), "lr",
                                settings.learningRate(), "momentum", settings.momentum(), "weight_decay",
                                settings.weightDecay(), "calibration_batches", settings.calibrationBatches(),
                                "bn_batches", settings.bnBatches(), "ste", settings.clippedSte() ? "clipped" : "plain",
                                "ema", settings.ema(), "ranges", settings.ranges(), "threads", settings.threads(),
                                "eval_batch", settings.evalBatch()), Options.merged(settings.percentile() < 100
                                        ? Options.ordered("calibration", "percentile", "percentile",
                                                settings.percentile())
                                        : Options.ordered("calibration", "minmax"), settings.distils()
                                                ? Options.ordered("distill", settings.distill()) : Map.of()))));
    }

    @Override
    public boolean isAccuracy() {
        return true;
    }

    /** The calibration and fine-tuning settings in force. */
    public QatSettings settings() {
        return settings;
    }

    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed) {
        QuantisedTraining.Result r = train(space, architecture, seed, null, null);
        return new Estimate(r.top1(), "top1:" + datasetName(), Map.of("ptq_top1", r.ptqTop1(), "validation_loss",
                r.loss(), "steps", r.losses().size(), "wall_s", r.seconds()));
    }

    private String datasetName() {
        return checkpoint != null ? checkpoint.run().dataset().name() : (String) data.get("dataset");
    }

    /**
     * Fine-tunes {@code architecture} as {@link #estimate} does and writes the compressed network's weights and the
     * activation ranges where given (null: not written).
     *
     * @throws IllegalArgumentException if the candidate's base architecture is not the one the start was trained
     *         for, or it lies outside the supernet's range
     */
    public QuantisedTraining.Result train(SearchSpace space, Architecture architecture, long seed, Path saveWeights,
            Path saveRanges) {
        if (weights == null && checkpoint == null) {
            throw new IllegalStateException("accuracy estimator qat: give option weights (with arch) or checkpoint");
        }
        SearchSpace base = space instanceof CompressedSpace cs ? cs.base() : space;
        Architecture baseArch = baseArchitecture(space, architecture);
        return checkpoint != null ? fromSupernet(space, architecture, base, baseArch, seed, saveWeights, saveRanges)
                : fromWeights(space, architecture, base, baseArch, seed, saveWeights, saveRanges);
    }

    private QuantisedTraining.Result fromWeights(SearchSpace space, Architecture a, SearchSpace base,
            Architecture baseArch, long seed, Path saveWeights, Path saveRanges) {
        Architecture trained = base.parse(arch);
        if (!trained.canonical().equals(baseArch.canonical())) {
            throw new IllegalArgumentException("qat: the candidate's base architecture " + baseArch.canonical()
                    + " is not " + trained.canonical() + ", the architecture the weights file " + weights
                    + " was trained for (option arch)");
        }
        TrainEstimator t = new TrainEstimator().withOptions(trainData());
        ImageDataset.Split split = t.data();
        Shape in = input != null ? input : space.defaultInput();
        int out = classes > 0 ? classes : split.train().classes();
        Network parent = base.network(baseArch, in, out);
        Network compressed = space.network(a, in, out);
        Path file = Path.of(weights);
        return QuantisedTraining.run(compressed, m -> Weights.load(parent, m, file), split, settings, seed,
                saveWeights, saveRanges);
    }

    /**
     * The images a fine-tuning of {@code architecture} trains on and the input its network takes: what an exported
     * model's inputs are normalised by.
     *
     * @param dataset the dataset's name
     * @param dir     its directory, or null for the default
     * @param seed    the seed it was loaded with
     * @param train   the training images
     * @param input   the compressed network's input shape
     */
    public record TrainingImages(String dataset, String dir, long seed, ImageDataset train, Shape input) {
    }

    /** The images {@link #train} trains {@code architecture} on (a compressed architecture of {@code space}). */
    public TrainingImages trainingImages(SearchSpace space, Architecture architecture) {
        if (checkpoint != null) {
            SupernetSpec spec = checkpoint.spec();
            ImageDataset train = supernetSplit().train();
            int r = spec.space().resolution(spec.space().parse(baseArchitecture(space, architecture).canonical()));
            Shape in = new Shape(spec.channels(), r, r);
            return new TrainingImages(checkpoint.run().dataset().name(), checkpoint.run().dataset().dir(),
                    checkpoint.run().seed(), train, in);
        }
        Map<String, Object> d = trainData();
        ImageDataset train = new TrainEstimator().withOptions(d).data().train();
        Shape in = space.network(architecture, input != null ? input : space.defaultInput(), classes > 0 ? classes
                : train.classes()).inputShape();
        return new TrainingImages((String) d.get("dataset"), (String) d.get("dir"), 0, train, in);
    }

    /** The uncompressed architecture under a candidate of a compressed space (the candidate itself otherwise). */
    private static Architecture baseArchitecture(SearchSpace space, Architecture architecture) {
        return space instanceof CompressedSpace cs ? cs.baseArchitecture(architecture) : architecture;
    }

    private ImageDataset.Split supernetSplit() {
        return SUPERNET_SPLITS.computeIfAbsent(checkpoint.dir().toAbsolutePath() + "|" + checkpoint.run().seed(),
                k -> checkpoint.run().dataset().load(checkpoint.run().seed()));
    }

    private Map<String, Object> trainData() {
        Map<String, Object> d = new java.util.LinkedHashMap<>(data);
        if ("".equals(d.get("dir"))) {
            d.remove("dir");
        }
        return d;
    }

    private QuantisedTraining.Result fromSupernet(SearchSpace space, Architecture a, SearchSpace base,
            Architecture baseArch, long seed, Path saveWeights, Path saveRanges) {
        SupernetSpec spec = checkpoint.spec();
        Architecture subnet = spec.space().parse(baseArch.canonical());
        spec.check(subnet);
        ImageDataset.Split split = supernetSplit();
        int n = Math.min((Integer) data.get("val_size"), split.validation().size());
        int[] first = new int[n];
        Arrays.setAll(first, i -> i);
        ImageDataset.Split used = new ImageDataset.Split(split.train(), split.validation().select(first));
        int r = spec.space().resolution(subnet);
        Network compressed = space.network(a, new Shape(spec.channels(), r, r), spec.classes());
        return QuantisedTraining.run(compressed, QuantisedTraining.Start.ordered(m -> checkpoint.load(m).extract(
                subnet, m), spec::orderedChannels), used, settings, seed, saveWeights, saveRanges);
    }
}
