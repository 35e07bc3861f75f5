package io.hwnas.experiments.setup;

import io.hwnas.core.arch.Architecture;
import io.hwnas.cost.CostTable;
import io.hwnas.cost.DeviceMetric;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.search.CostOracle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The strategies' cost oracle: device metrics from each device's {@link CostTable} (compiled rows,
 * no report per query) where its model has one, else from a full cost report on the network.
 */
final class TableOracle implements CostOracle {

    private final CandidateEvaluator evaluator;
    private final Map<String, Optional<CostTable>> tables = new ConcurrentHashMap<>();

    TableOracle(CandidateEvaluator evaluator) {
        this.evaluator = evaluator;
    }

    private Optional<CostTable> table(DeviceTarget d) {
        return tables.computeIfAbsent(d.name(),
                n -> d.table(evaluator.space(), evaluator.input(), evaluator.classes()));
    }

    private static Optional<DeviceMetric> parse(String name) {
        try {
            return Optional.of(DeviceMetric.parse(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<DeviceTarget> device(DeviceMetric m) {
        return evaluator.devices().stream().filter(d -> d.name().equals(m.device())).findFirst();
    }

    @Override
    public OptionalDouble predict(String metric, Architecture architecture) {
        Optional<DeviceMetric> m = parse(metric);
        Optional<DeviceTarget> d = m.flatMap(this::device);
        if (d.isEmpty()) {
            return OptionalDouble.empty();
        }
        Optional<CostTable> t = table(d.get());
        if (t.isEmpty()) {
            return m.get().metric().known(d.get().cost(architecture, evaluator.network(architecture)));
        }
        double v = t.get().value(architecture, CostTable.column(m.get().metric()));
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    @Override
    public double[] predictAll(String metric, List<Architecture> architectures) {
        Optional<DeviceMetric> m = parse(metric);
        Optional<CostTable> t = m.flatMap(this::device).flatMap(this::table);
        if (t.isEmpty()) {
            return CostOracle.super.predictAll(metric, architectures);
        }
        double[] all = t.get().estimateAll(architectures);
        double[] out = new double[architectures.size()];
        int column = CostTable.column(m.get().metric());
        for (int i = 0; i < out.length; i++) {
            out[i] = all[i * CostTable.WIDTH + column];
        }
        return out;
    }
}
