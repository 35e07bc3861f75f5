package io.hwnas.search.amc;

import io.hwnas.search.Constraint;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.StrategyOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code budget} option of {@code amc}: {@code {metric: latency_ms, device: D, max: X}} (an absolute
 * bound) or {@code ratio: r} (a share of the base network's predicted value); without the option, the
 * problem's first constraint. An empty budget ({@link #NONE}) means "from the constraints".
 *
 * @param metric the metric kind ({@code latency_ms}, {@code energy_mj}, {@code model_bytes})
 * @param device the device, empty for "the only device of the run"
 * @param max    the absolute bound, or 0
 * @param ratio  the share of the base network's cost, or 0
 */
record Budget(String metric, String device, double max, double ratio) {

    static final Budget NONE = new Budget("", "", 0, 0);
    static final List<String> METRICS = List.of("latency_ms", "energy_mj", "model_bytes", "peak_memory_bytes");

    /**
     * @throws IllegalArgumentException naming the field ({@code budget.metric}), its value and what is allowed
     */
    static Budget parse(Object section) {
        if (section == null || "auto".equals(section)) {
            return NONE;
        }
        if (!(section instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("strategy amc: option budget = " + section + " is not allowed; expected"
                    + " a map {metric: latency_ms, device: NAME, max: X} or {..., ratio: R}");
        }
        Map<String, Object> prefixed = new LinkedHashMap<>();
        m.forEach((k, v) -> prefixed.put("budget." + k, v));
        StrategyOptions o = new StrategyOptions("amc", prefixed,
                Set.of("budget.metric", "budget.device", "budget.max", "budget.ratio"));
        String metric = o.string("budget.metric", "latency_ms", METRICS);
        String device = o.text("budget.device", "");
        double max = o.number("budget.max", 0, Double.MIN_VALUE, Double.MAX_VALUE);
        double ratio = o.number("budget.ratio", 0, Double.MIN_VALUE, 1);
        if ((max > 0) == (ratio > 0)) {
            throw new IllegalArgumentException("strategy amc: option budget = " + section + " is not allowed; expected"
                    + " exactly one of budget.max (an absolute bound) and budget.ratio (a share of the base network's"
                    + " predicted " + metric + ")");
        }
        return new Budget(metric, device, max, ratio);
    }

    Object toOption() {
        if (this.equals(NONE)) {
            return "auto";
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", metric);
        if (!device.isEmpty()) {
            m.put("device", device);
        }
        m.put(max > 0 ? "max" : "ratio", max > 0 ? max : ratio);
        return m;
    }

    /** The metric name with its device, e.g. {@code latency_ms@edge-tpu}. */
    String metricName(SearchProblem problem) {
        if (!device.isEmpty()) {
            return metric + "@" + device;
        }
        Set<String> devices = new TreeSet<>();
        problem.objectives().stream().map(Objective::metric).forEach(n -> addDevice(devices, n));
        problem.constraints().stream().map(Constraint::metric).forEach(n -> addDevice(devices, n));
        if (devices.size() != 1) {
            throw new IllegalArgumentException("strategy amc: option budget.device is required: the run has "
                    + (devices.isEmpty() ? "no device metric" : "the devices " + devices));
        }
        return metric + "@" + devices.iterator().next();
    }

    private static void addDevice(Set<String> devices, String metric) {
        int at = metric.indexOf('@');
        if (at > 0) {
            devices.add(metric.substring(at + 1));
        }
    }
}
