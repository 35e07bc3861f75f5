package io.hwnas.cost.device;

import java.util.Objects;

/**
 * One number of a device profile with where it comes from (a datasheet, a paper, a measurement or
 * a calibration file).
 *
 * @param value  the number, finite and not negative
 * @param source where the number comes from
 */
public record Quantity(double value, String source) {

    public Quantity {
        Objects.requireNonNull(source, "source");
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException("value must be finite and >= 0, but was " + value);
        }
    }
}
