package io.hwnas.core.accuracy;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.table.BenchmarkTable;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Published accuracies: the NAS-Bench-201 200-epoch test accuracy (NATS-Bench tss, mean over
 * seeds) on cifar10, cifar100 or imagenet16-120, from the table shipped in nas-core. In a space with a
 * compression section it gives the uncompressed cell's accuracy (compression is not modelled).
 */
public final class TableEstimator implements AccuracyEstimator {

    /** The datasets of the nb201 table. */
    public static final List<String> DATASETS = List.of("cifar10", "cifar100", "imagenet16-120");

    private final String dataset;

    public TableEstimator() {
        this("cifar10");
    }

    private TableEstimator(String dataset) {
        this.dataset = dataset;
    }

    @Override
    public String name() {
        return "table";
    }

    @Override
    public AccuracyEstimator withOptions(Map<String, ?> options) {
        EstimatorOptions o = new EstimatorOptions("accuracy estimator table", options, Set.of("dataset"));
        return new TableEstimator(o.string("dataset", dataset, DATASETS));
    }

    @Override
    public Map<String, Object> options() {
        return Options.ordered("dataset", dataset);
    }

    @Override
    public boolean isAccuracy() {
        return true;
    }

    /** The table has published accuracies for nb201 only: another space is refused when a run is bound. */
    @Override
    public AccuracyEstimator forSpace(SearchSpace space) {
        if (!space.name().equals("nb201")) {
            throw new IllegalArgumentException("accuracy estimator table has published accuracies for space nb201 only, "
                    + "not '" + space.name() + "'");
        }
        return this;
    }

    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed) {
        forSpace(space);
        if (space instanceof io.hwnas.core.space.compress.CompressedSpace c) {
            return compressed(c, architecture, seed);
        }
        Lookup l = Lookup.INSTANCE;
        Integer row = l.rows.get(architecture.canonical());
        if (row == null) {
            throw new IllegalArgumentException("accuracy estimator table: architecture " + architecture.canonical()
                    + " is not in " + l.table.source());
        }
        int col = l.table.column(dataset.replace('-', '_') + "_test_acc");
        double acc = l.table.number(row, col);
        if (Double.isNaN(acc)) {
            throw new IllegalArgumentException("accuracy estimator table: no " + dataset + " accuracy for "
                    + architecture.canonical());
        }
        return new Estimate(acc, "nb201:" + dataset, Map.of("arch_index", l.table.text(row, l.table.column(
                "arch_index"))));
    }

    /**
     * A compressed cell: the table's accuracy of the uncompressed cell (the published tables know no
     * bits or pruning), marked {@code compression: not modelled}.
     */
    private Estimate compressed(io.hwnas.core.space.compress.CompressedSpace space, Architecture architecture,
            long seed) {
        Estimate e = estimate(space.base(), space.baseArchitecture(architecture), seed);
        Map<String, Object> details = new java.util.LinkedHashMap<>(e.details());
        details.put("compression", "not modelled: the uncompressed cell's published accuracy");
        return new Estimate(e.value(), e.metric(), details);
    }

    /** The shipped table and its index, loaded once. */
    private static final class Lookup {
        static final Lookup INSTANCE = new Lookup();
        final BenchmarkTable table = BenchmarkTable.shipped(BenchmarkTable.NB201_ACCURACY);
        final Map<String, Integer> rows = table.index("arch_str");
    }
}
