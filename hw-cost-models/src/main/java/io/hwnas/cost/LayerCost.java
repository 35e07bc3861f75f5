package io.hwnas.cost;

import io.hwnas.core.ir.LayerKind;
import java.util.Objects;

/**
 * The cost of one kernel of a network on a device: a layer, or a layer with the layers fused into
 * it (their names joined with {@code +}).
 *
 * @param name     the layer name (fused layers joined with {@code +})
 * @param kind     the kind of the first layer of the kernel
 * @param timeMs   time in milliseconds for the whole batch
 * @param energyMj energy in millijoules for the whole batch (NaN when the model has no energy data)
 * @param bound    what limits the time
 * @param placement where the kernel runs when not on the device itself and why (e.g. {@code host: ...}); ""
 *                  when the device runs it
 */
public record LayerCost(String name, LayerKind kind, double timeMs, double energyMj, Bound bound, String placement) {

    /** A kernel the device runs itself. */
    public LayerCost(String name, LayerKind kind, double timeMs, double energyMj, Bound bound) {
        this(name, kind, timeMs, energyMj, bound, "");
    }

    public LayerCost {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(bound, "bound");
        if (!(timeMs >= 0) || !(energyMj >= 0 || Double.isNaN(energyMj))) {
            throw new IllegalArgumentException("layer " + name + ": time and energy must be >= 0, but were " + timeMs
                    + " ms and " + energyMj + " mJ");
        }
    }
}
