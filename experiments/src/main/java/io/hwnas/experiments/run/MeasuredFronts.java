package io.hwnas.experiments.run;

import io.hwnas.core.arch.Architecture;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.DeviceMetric;
import io.hwnas.cost.Metric;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Pareto sets whose members on a measuring device (an agent) have measured latencies: on each such device the
 * front is computed, its members whose latency was predicted are measured ({@link DeviceTarget#measured}) and
 * their latency and energy replaced, and so on until every member is measured. A member that cannot be measured
 * (the agent lost) leaves that device's front with the reason; the other devices' fronts are not changed. The
 * measurements are the device's own cache (the run directory's), so a resumed or rebuilt run measures nothing
 * again.
 */
final class MeasuredFronts {

    private MeasuredFronts() {
    }

    /**
     * The fronts {@code fronts} computes from {@code all}, with the measuring devices' members measured; {@code warn}
     * gets one line for each member that could not be measured.
     */
    static Map<String, List<Evaluation>> of(RunSetup setup, List<Evaluation> all,
            Function<List<Evaluation>, Map<String, List<Evaluation>>> fronts, Consumer<String> warn) {
        Map<String, List<Evaluation>> f = new LinkedHashMap<>(fronts.apply(all));
        for (DeviceTarget t : setup.devices()) {
            if (t.measuresFronts()) {
                f.put(t.name(), front(setup, t, all, fronts, warn));
            }
        }
        return f;
    }

    private static List<Evaluation> front(RunSetup setup, DeviceTarget t, List<Evaluation> all,
            Function<List<Evaluation>, Map<String, List<Evaluation>>> fronts, Consumer<String> warn) {
        Map<String, Evaluation> done = new HashMap<>();
        while (true) {
            List<Evaluation> current = new ArrayList<>(all.size());
            for (Evaluation e : all) {
                current.add(done.getOrDefault(e.architecture().canonical(), e));
            }
            List<Evaluation> front = fronts.apply(current).get(t.name());
            List<Evaluation> todo = front.stream().filter(e -> !measured(t, e)).toList();
            if (todo.isEmpty()) {
                return front;
            }
            for (Evaluation e : todo) {
                Evaluation m = measure(setup, t, e);
                if (m.status() == Evaluation.Status.FAILED) {
                    warn.accept(t.name() + ": Pareto member " + e.architecture().canonical() + " left out: "
                            + m.error() + " (report RUN_DIR measures it once the agent is back)");
                }
                done.put(e.architecture().canonical(), m);
            }
        }
    }

    private static boolean measured(DeviceTarget t, Evaluation e) {
        return e.metric(DeviceTarget.latencyMeasured(t.name())) == 1.0;
    }

    /** {@code e} with its latency (and energy) on {@code t} measured, or FAILED naming why it could not be. */
    static Evaluation measure(RunSetup setup, DeviceTarget t, Evaluation e) {
        Architecture a = e.architecture();
        try {
            CostReport c = t.measured(a, setup.evaluator().network(a));
            Map<String, Double> metrics = new LinkedHashMap<>(e.metrics());
            metrics.put(new DeviceMetric(Metric.LATENCY_MS, t.name()).toString(), c.latencyMs());
            Metric.ENERGY_MJ.known(c).ifPresent(v -> metrics.put(new DeviceMetric(Metric.ENERGY_MJ, t.name())
                    .toString(), v));
            metrics.put(DeviceTarget.latencyMeasured(t.name()), 1.0);
            Double energy = c.details().get(DeviceTarget.ENERGY_MEASURED);
            if (energy != null) {
                metrics.put(DeviceTarget.energyMeasured(t.name()), energy);
            }
            return new Evaluation(a, e.status(), metrics, e.error());
        } catch (RuntimeException x) {
            return Evaluation.failed(a, "re-measured on " + t.name() + ": " + x.getMessage());
        }
    }
}
