package io.hwnas.cost;

import java.util.Objects;

/**
 * One metric on one device of a run: the objectives and constraints strategies see. Written
 * {@code metric@device} (e.g. {@code latency_ms@raspi4}) in journals, Pareto files and strategy options.
 *
 * @param metric the metric
 * @param device the device's name in the run
 */
public record DeviceMetric(Metric metric, String device) {

    public DeviceMetric {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(device, "device");
    }

    /**
     * Reads {@code metric@device}.
     *
     * @throws IllegalArgumentException naming the text and the allowed form
     */
    public static DeviceMetric parse(String text) {
        int at = text.indexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not a device metric; expected METRIC@DEVICE with "
                    + "METRIC one of " + Metric.keys());
        }
        return new DeviceMetric(Metric.of(text.substring(0, at)), text.substring(at + 1));
    }

    /**
     * The constraint key of {@code device}'s limit violations ({@code violations@device}): the number
     * of the device's limits a candidate breaks, bounded by 0.
     */
    public static String violations(String device) {
        return "violations@" + device;
    }

    /** The written form, {@code metric@device}. */
    @Override
    public String toString() {
        return metric.key() + "@" + device;
    }
}
