package io.hwnas.cost.host;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import io.hwnas.core.train.Weights;
import io.hwnas.cost.neuromorphic.FiringRates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the firing rates of a network converted to a rate-coded SNN from a calibration batch run
 * through the DJL network: for each activation layer, the rate is the mean activation over its
 * 99.9th percentile (data-based threshold normalisation, Rueckauer et al. 2017), clipped to [0, 1].
 * Either through the network's own trained weights on real images ({@link #measure(NetworkBlock,
 * float[], int, double, String)}, what a run that trains its candidates uses), or, without weights, a
 * seeded Gaussian batch through seeded initial weights: intermediate outputs are then read by running
 * the prefix of the network that ends at each activation, with the same seed so that its weights
 * equal the full network's.
 */
public final class FiringRateProbe {

    private FiringRateProbe() {
    }

    /** Rates of every activation layer for a seeded Gaussian batch of {@code samples} inputs. */
    public static FiringRates measure(Network network, int samples, long seed, double defaultRate) {
        if (samples <= 0) {
            throw new IllegalArgumentException("the calibration batch must have at least one sample, but had " + samples);
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        List<Layer> layers = network.layers();
        for (Layer l : layers) {
            if (!l.kind().isActivation()) {
                continue;
            }
            Network prefix = new Network(new ArrayList<>(layers.subList(0, l.id() + 1)), network.declaredParams());
            try (NDManager m = NDManager.newBaseManager()) {
                DjlRuntime.seed(seed);
                NetworkBlock block = DjlNetworks.initialized(prefix, m, DataType.FLOAT32, samples);
                NDArray x = m.randomNormal(DjlNetworks.inputShape(prefix, samples));
                NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
                float[] v = y.toFloatArray();
                rates.put(l.name(), rate(v));
            }
        }
        return new FiringRates(rates, defaultRate, "calibration batch of " + samples + " seeded Gaussian inputs (seed "
                + seed + ")");
    }

    /**
     * Rates of every activation layer of a network with its own (trained) weights, on real images:
     * {@code samples} images, already batched to the network's input ({@code images}, NCHW), run once
     * through {@code block} in inference mode.
     *
     * @param source how the images and weights were chosen, for the model card
     */
    public static FiringRates measure(NetworkBlock block, float[] images, int samples, double defaultRate,
            String source) {
        if (samples <= 0) {
            throw new IllegalArgumentException("the calibration batch must have at least one sample, but had " + samples);
        }
        Network network = block.network();
        Map<String, Double> rates = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(images, DjlNetworks.inputShape(network, samples));
            NDArray[] out = block.forwardLayers(new ParameterStore(m, false), x, false, null);
            for (Layer l : network.layers()) {
                if (l.kind().isActivation()) {
                    rates.put(l.name(), rate(out[l.id()].toFloatArray()));
                }
            }
        }
        return new FiringRates(rates, defaultRate, source);
    }

    /**
     * Rates of every activation layer of {@code network} with the trained weights saved in
     * {@code weights}, on real images (see {@link #measure(NetworkBlock, float[], int, double, String)}).
     */
    public static FiringRates measure(Network network, Path weights, float[] images, int samples, double defaultRate,
            String source) {
        try (NDManager m = NDManager.newBaseManager()) {
            return measure(Weights.load(network, m, weights), images, samples, defaultRate, source);
        }
    }

    static double rate(float[] v) {
        float[] s = v.clone();
        java.util.Arrays.sort(s);
        double p999 = s[Math.min(s.length - 1, (int) Math.floor(0.999 * (s.length - 1)))];
        if (p999 <= 0) {
            return 0;
        }
        double sum = 0;
        for (float f : v) {
            sum += Math.min(Math.max(f, 0), p999);
        }
        return Math.min(1, sum / v.length / p999);
    }
}
