package io.hwnas.core.accuracy;

import java.util.Map;
import java.util.Objects;

/**
 * The result of one accuracy estimation.
 *
 * @param value   the score, higher is better (accuracy in percent, or a proxy score)
 * @param metric  what the value is, e.g. {@code top1}, {@code synflow}, {@code nb201:cifar10}
 * @param details extra figures worth keeping in the journal (loss, images/s, wall seconds, ...)
 */
public record Estimate(double value, String metric, Map<String, Object> details) {

    public Estimate {
        Objects.requireNonNull(metric, "metric");
        details = Map.copyOf(details);
    }
}
