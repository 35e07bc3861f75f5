package io.hwnas.experiments.run;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import java.util.List;
import java.util.Map;

/** One target device of a run, bound to its cost model: costs every evaluated architecture. */
public interface DeviceTarget {

    /** The device name used in metric names and file names. */
    String name();

    /** What this target is, e.g. {@code raspi4 (cpu model, batch 1)}. */
    String description();

    /** Predicted costs of one architecture; pure and thread-safe. */
    DeviceCost cost(Architecture architecture, Network network);

    /** Hashes of the device profile and calibration files, for the manifest. */
    Map<String, String> hashes();

    /**
     * The costs of one architecture on one device.
     *
     * @param latencyMs       latency of one batch in ms
     * @param energyMj        energy of one batch in mJ
     * @param peakMemoryBytes peak memory in bytes
     * @param modelBytes      model size in bytes
     * @param violations      device limits the network breaks (empty when it fits)
     * @param layers          the per-layer breakdown
     */
    record DeviceCost(double latencyMs, double energyMj, long peakMemoryBytes, long modelBytes,
            List<String> violations, List<LayerRow> layers) {
        public DeviceCost {
            violations = List.copyOf(violations);
            layers = List.copyOf(layers);
        }
    }

    /** One row of a per-layer breakdown: time, energy and what bounds the layer. */
    record LayerRow(String layer, String kind, double timeMs, double energyMj, String bound) {
    }
}
