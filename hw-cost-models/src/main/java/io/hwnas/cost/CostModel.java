package io.hwnas.cost;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.plugin.Named;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;
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
     * What keeps this model from costing networks of search space {@code space} on {@code device} at batch
     * {@code batch} (no table for the space, a bad profile setting, a device of another kind), one line each;
     * empty when it can. A run asks once, when it is bound, so that such a problem stops it before any work
     * instead of failing every evaluation.
     */
    default List<String> check(DeviceProfile device, String space, int batch) {
        return List.of();
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
