package io.hwnas.cost;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.plugin.Named;
import io.hwnas.cost.device.DeviceProfile;
import java.util.Optional;

/**
 * Predicts latency, energy and memory of a network on a device. Implementations are pure functions
 * of their arguments and thread-safe; they are found by name with {@link CostModels}.
 */
public interface CostModel extends Named {

    /** One line on how the model predicts. */
    String description();

    /**
     * The cost of running {@code network} (the network of {@code architecture}) on {@code device} for
     * a batch of {@code batch} samples.
     *
     * @throws IllegalArgumentException if the model cannot cost this device or architecture
     */
    CostReport estimate(Architecture architecture, Network network, DeviceProfile device, int batch);

    /**
     * Why this model cannot give the energy on {@code device} (its reports then carry NaN energy),
     * or empty when it can: e.g. the profile's numbers that are missing.
     */
    default Optional<String> energyUnknown(DeviceProfile device) {
        return Optional.empty();
    }

    /**
     * The allocation-free path of this model on a device and batch (see {@link CostTable}), or empty
     * when the model has none.
     *
     * @throws IllegalArgumentException if the model cannot cost the device
     */
    default Optional<FastPath> fastPath(DeviceProfile device, int batch) {
        return Optional.empty();
    }
}
