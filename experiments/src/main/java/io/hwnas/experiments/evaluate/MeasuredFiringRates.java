package io.hwnas.experiments.evaluate;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.cost.host.FiringRateProbe;
import io.hwnas.cost.neuromorphic.FiringRates;
import io.hwnas.search.Evaluation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Neuromorphic firing rates of a trained candidate, measured per activation layer on real images
 * through its own weights ({@link FiringRateProbe}), and carried in the evaluation's metrics
 * ({@code firing_rate.LAYER}, {@code firing_rate_images}) so that the journal, a resumed run, a
 * Slurm worker's result and the model cards all see the rates the costs were computed with. A run
 * that does not train has no weights: its neuromorphic devices use the profile's default rate.
 */
public final class MeasuredFiringRates {

    /** Prefix of the per-layer rate metrics. */
    public static final String PREFIX = "firing_rate.";
    /** The number of images the rates were measured on. */
    public static final String IMAGES = "firing_rate_images";
    /** Images per measurement: the first of the estimator's validation images. */
    static final int SAMPLES = 64;

    private MeasuredFiringRates() {
    }

    /** True when a run with these devices and this estimator measures rates: it trains, and costs an SNN. */
    static boolean wanted(List<DeviceTarget> devices, Object accuracy) {
        return accuracy instanceof TrainEstimator && devices.stream().anyMatch(DeviceTarget::spiking);
    }

    /**
     * Measures the rates of {@code a} through the weights training left in {@code weights}, on the
     * first {@link #SAMPLES} validation images of the estimator's dataset, and writes them to
     * {@code metrics}.
     */
    static void measure(TrainEstimator t, SearchSpace space, Architecture a, Path weights, Map<String, Double> metrics) {
        Network trained = t.network(space, a);
        ImageDataset.Split data = t.data();
        ImageDataset images = data.validation();
        int n = Math.min(SAMPLES, images.size());
        ImageBatcher batcher = ImageBatcher.fitted(data.train(), trained.inputShape());
        float[] x = batcher.fill(images, IntStream.range(0, n).toArray(), 0, n);
        FiringRates rates = FiringRateProbe.measure(trained, weights, x, n, 0, "measured");
        rates.byLayer().forEach((layer, r) -> metrics.put(PREFIX + layer, r));
        metrics.put(IMAGES, (double) n);
    }

    /** The measured rates in an evaluation's metrics, by layer; empty when none were measured. */
    public static Map<String, Double> of(Map<String, Double> metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                out.put(k.substring(PREFIX.length()), v);
            }
        });
        return out;
    }

    /** The measured rates of an evaluation, by layer; empty when none were measured. */
    public static Map<String, Double> of(Evaluation e) {
        return of(e.metrics());
    }

    /** One line for a model card: which firing rates the neuromorphic costs used. */
    public static String describe(Evaluation e, String dataset, List<DeviceTarget> devices) {
        Map<String, Double> rates = of(e);
        if (rates.isEmpty()) {
            return "the profile's default rate for every layer (" + String.join(", ", devices.stream()
                    .filter(DeviceTarget::spiking).map(d -> d.name() + ": " + d.defaultFiringRate()).toList())
                    + "), not measured: the run does not train its candidates, so there are no weights to measure "
                    + "them through";
        }
        double mean = rates.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return String.format(Locale.ROOT, "measured per layer on %d validation images of %s through the candidate's "
                + "trained weights from its evaluation in the search (%d activation layers, mean rate %.4f)",
                (int) e.metric(IMAGES), dataset, rates.size(), mean);
    }
}
