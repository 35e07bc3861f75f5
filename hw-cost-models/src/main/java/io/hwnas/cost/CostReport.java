package io.hwnas.cost;

import java.util.List;
import java.util.Objects;

/**
 * What one network costs on one device at one batch size: latency, energy, memory, a per-kernel
 * breakdown and the device limits it breaks.
 *
 * @param device          the device profile's name
 * @param model           the cost model's name
 * @param batch           samples per inference
 * @param latencyMs       time of one inference of the batch, ms
 * @param energyMj        energy of one inference of the batch, mJ
 * @param peakMemoryBytes weights plus the peak of live activations for the batch
 * @param modelBytes      weights at the precision the device runs
 * @param layers          the per-kernel breakdown, in execution order (may be empty for table models)
 * @param violations      every device limit the network breaks; empty when it fits
 */
public record CostReport(String device, String model, int batch, double latencyMs, double energyMj,
        long peakMemoryBytes, long modelBytes, List<LayerCost> layers, List<String> violations) {

    public CostReport {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(model, "model");
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, but was " + batch);
        }
        if (!(latencyMs >= 0) || !(energyMj >= 0) || peakMemoryBytes < 0 || modelBytes < 0) {
            throw new IllegalArgumentException("costs must be >= 0, but latency was " + latencyMs + " ms, energy "
                    + energyMj + " mJ, memory " + peakMemoryBytes + ", model " + modelBytes);
        }
        layers = layers instanceof ImmutableLayers ? layers : List.copyOf(layers);
        violations = List.copyOf(violations);
    }

    /** True when the network fits the device (no violations). */
    public boolean feasible() {
        return violations.isEmpty();
    }

    /** Energy over latency: the mean power, watts. */
    public double meanPowerW() {
        return latencyMs > 0 ? energyMj / latencyMs : 0;
    }
}
