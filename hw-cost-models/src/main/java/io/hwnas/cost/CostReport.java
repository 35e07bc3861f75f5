package io.hwnas.cost;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one network costs on one device at one batch size: latency, energy, memory, a per-kernel
 * breakdown and the device limits it breaks.
 *
 * @param device          the device profile's name
 * @param model           the cost model's name
 * @param batch           samples per inference
 * @param latencyMs       time of one inference of the batch, ms
 * @param energyMj        energy of one inference of the batch, mJ; NaN when the model has no energy
 *                        data for the device ({@link #energyKnown()})
 * @param peakMemoryBytes weights plus the peak of live activations for the batch
 * @param modelBytes      weights at the precision the device runs
 * @param layers          the per-kernel breakdown, in execution order (may be empty for table models)
 * @param violations      every device limit the network breaks; empty when it fits
 * @param details         further figures, in order: the energy's parts ({@code energy_static_mj},
 *                        {@code energy_compute_mj}, ...) and, for neuromorphic chips, the cores and
 *                        per-core use against the chip's limits
 */
public record CostReport(String device, String model, int batch, double latencyMs, double energyMj,
        long peakMemoryBytes, long modelBytes, List<LayerCost> layers, List<String> violations,
        Map<String, Double> details) {

    public CostReport {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(model, "model");
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, but was " + batch);
        }
        if (!(latencyMs >= 0) || !(energyMj >= 0 || Double.isNaN(energyMj)) || peakMemoryBytes < 0 || modelBytes < 0) {
            throw new IllegalArgumentException("costs must be >= 0, but latency was " + latencyMs + " ms, energy "
                    + energyMj + " mJ, memory " + peakMemoryBytes + ", model " + modelBytes);
        }
        layers = layers instanceof ImmutableLayers ? layers : List.copyOf(layers);
        violations = List.copyOf(violations);
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A report without further details. */
    public CostReport(String device, String model, int batch, double latencyMs, double energyMj, long peakMemoryBytes,
            long modelBytes, List<LayerCost> layers, List<String> violations) {
        this(device, model, batch, latencyMs, energyMj, peakMemoryBytes, modelBytes, layers, violations, Map.of());
    }

    /** True when the network fits the device (no violations). */
    public boolean feasible() {
        return violations.isEmpty();
    }

    /** False when the model has no energy data for the device: {@link #energyMj()} is then NaN. */
    public boolean energyKnown() {
        return !Double.isNaN(energyMj);
    }

    /** Energy over latency: the mean power, watts (NaN when the energy is unknown). */
    public double meanPowerW() {
        return latencyMs > 0 ? energyMj / latencyMs : 0;
    }
}
