package io.hwnas.experiments.setup;

import io.hwnas.cost.DeviceMetric;
import io.hwnas.cost.Metric;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.search.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The objectives of one device's Pareto set (accuracy up, the configured cost metrics down) and
 * which evaluations count for it (not failed, within the device's limits and constraints).
 */
public record DeviceObjectives(String device, List<String> metrics, Map<String, Double> constraints) {

    public DeviceObjectives {
        metrics = List.copyOf(metrics);
        constraints = Map.copyOf(constraints);
    }

    public static List<DeviceObjectives> of(ExperimentConfig c) {
        List<DeviceObjectives> out = new ArrayList<>();
        for (ExperimentConfig.DeviceSpec d : c.devices()) {
            out.add(new DeviceObjectives(d.name(), c.objectives(), d.constraints()));
        }
        return out;
    }

    /** The device metric name, e.g. {@code latency_ms@raspi4}. */
    public String metric(String m) {
        return new DeviceMetric(Metric.of(m), device).toString();
    }

    /** The device metric name of {@code m}, e.g. {@code latency_ms@raspi4}. */
    public String metric(Metric m) {
        return new DeviceMetric(m, device).toString();
    }

    /** True when the evaluation has metrics and fits this device. */
    public boolean admits(Evaluation e) {
        if (e.status() == Evaluation.Status.FAILED || !Double.isFinite(e.metric("accuracy"))) {
            return false;
        }
        if (e.metric(DeviceMetric.violations(device)) > 0) {
            return false;
        }
        for (String m : metrics) {
            if (!Double.isFinite(e.metric(metric(m)))) {
                return false;
            }
        }
        for (Map.Entry<String, Double> c : constraints.entrySet()) {
            if (!(e.metric(metric(c.getKey())) <= c.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The objective vector to minimise: -accuracy, then the cost metrics. */
    public double[] point(Evaluation e) {
        double[] p = new double[1 + metrics.size()];
        p[0] = -e.metric("accuracy");
        for (int i = 0; i < metrics.size(); i++) {
            p[i + 1] = e.metric(metric(metrics.get(i)));
        }
        return p;
    }
}
