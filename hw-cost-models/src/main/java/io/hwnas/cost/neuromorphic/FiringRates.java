package io.hwnas.cost.neuromorphic;

import java.util.Map;
import java.util.TreeMap;

/**
 * Spike rates per time step of a converted network, by the name of the layer whose output spikes
 * (an activation layer), with a default for layers not listed.
 *
 * @param byLayer     rates in [0, 1] by layer name
 * @param defaultRate the rate of layers not in the map, in [0, 1]
 * @param source      how the rates were obtained (e.g. a calibration batch, or the profile default)
 */
public record FiringRates(Map<String, Double> byLayer, double defaultRate, String source) {

    public FiringRates {
        byLayer = Map.copyOf(new TreeMap<>(byLayer));
        for (Map.Entry<String, Double> e : byLayer.entrySet()) {
            check(e.getKey(), e.getValue());
        }
        check("default", defaultRate);
    }

    private static void check(String name, double r) {
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException("firing rate of " + name + " must be in [0, 1], but was " + r);
        }
    }

    /** One rate for every layer. */
    public static FiringRates uniform(double rate) {
        return new FiringRates(Map.of(), rate, "uniform " + rate);
    }

    /** The rate of a layer. */
    public double rate(String layer) {
        Double r = byLayer.get(layer);
        return r == null ? defaultRate : r;
    }
}
