package io.hwnas.search.harness;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.table.BenchmarkTable;
import io.hwnas.core.pareto.Hypervolume;
import io.hwnas.core.pareto.MinMaxScaler;
import io.hwnas.core.pareto.Pareto;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.search.CostOracle;
import io.hwnas.search.Evaluation;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;

/**
 * Strategies measured on NAS-Bench-201 with the shipped tables: test accuracy of one dataset against
 * one HW-NAS-Bench device's measured latency, where the true Pareto front is known from all 15,625
 * cells. Quality is the hypervolume gap (objectives min-max normalised over the whole table,
 * reference point (1, 1)) and the share of the true front found.
 */
public final class Nb201TableBenchmark {

    /** The datasets of {@code nb201_accuracy.csv.gz}, by their name in {@code nb201:DATASET}. */
    public static final List<String> DATASETS = List.of("cifar10", "cifar100", "imagenet16_120");
    /** The devices of {@code hw_nas_bench_nb201.csv.gz}, by their name in {@code table:DEVICE}. */
    public static final List<String> DEVICES = List.of("raspi4", "pixel3", "eyeriss", "fpga");

    private static final double[] REFERENCE = {1, 1};

    private final SearchSpace space;
    private final String device;
    private final Map<Architecture, double[]> metrics = new HashMap<>(); // accuracy, latency
    private final MinMaxScaler scaler;
    private final double[][] trueFront;
    private final Set<Architecture> trueFrontArchs = new HashSet<>();

    /**
     * @throws IllegalArgumentException naming the dataset or device if it is unknown
     */
    public Nb201TableBenchmark(String dataset, String device) {
        if (!DATASETS.contains(dataset)) {
            throw new IllegalArgumentException("accuracy nb201:" + dataset + " is not known; expected nb201:DATASET with "
                    + "DATASET one of " + DATASETS);
        }
        if (!DEVICES.contains(device)) {
            throw new IllegalArgumentException("latency table:" + device + " is not known; expected table:DEVICE with "
                    + "DEVICE one of " + DEVICES);
        }
        this.space = SearchSpaces.get("nb201", Map.of());
        this.device = device;
        BenchmarkTable acc = BenchmarkTable.shipped(BenchmarkTable.NB201_ACCURACY);
        BenchmarkTable hw = BenchmarkTable.shipped(BenchmarkTable.HW_NAS_BENCH_NB201);
        Map<String, Integer> latRow = hw.index("arch_str");
        int accCol = acc.column(dataset + "_test_acc");
        int archCol = acc.column("arch_str");
        int latCol = hw.column(device + "_latency");
        List<Architecture> archs = new ArrayList<>();
        List<double[]> raw = new ArrayList<>();
        for (int r = 0; r < acc.size(); r++) {
            String s = acc.text(r, archCol);
            Integer lr = latRow.get(s);
            if (lr == null) {
                throw new IllegalStateException(hw.source() + " has no row for " + s);
            }
            Architecture a = space.parse(s);
            double[] m = {acc.number(r, accCol), hw.number(lr, latCol)};
            metrics.put(a, m);
            archs.add(a);
            raw.add(new double[] {-m[0], m[1]});
        }
        double[][] all = raw.toArray(double[][]::new);
        this.scaler = MinMaxScaler.fit(all);
        double[][] scaled = scaler.scale(all);
        int[] front = Pareto.nonDominated(scaled);
        this.trueFront = new double[front.length][];
        for (int k = 0; k < front.length; k++) {
            trueFront[k] = scaled[front[k]];
            trueFrontArchs.add(archs.get(front[k]));
        }
    }

    public String latencyMetric() {
        return "latency_ms@" + device;
    }

    /** Accuracy (maximised) and this device's latency (minimised), no constraints. */
    public SearchProblem problem(int budget, int batchSize) {
        return new SearchProblem(space, List.of(Objective.maximize("accuracy"), Objective.minimize(latencyMetric())),
                List.of(), budget, batchSize, CostOracle.NONE);
    }

    /** The table's values for an architecture of the nb201 space. */
    public Evaluation evaluate(Architecture a) {
        double[] m = metrics.get(a);
        if (m == null) {
            return Evaluation.failed(a, "not in the NB201 table");
        }
        return Evaluation.ok(a, Map.of("accuracy", m[0], latencyMetric(), m[1]));
    }

    public int trueFrontSize() {
        return trueFrontArchs.size();
    }

    /** Runs a strategy to the end of its budget and returns every evaluation, in order. */
    public List<Evaluation> run(SearchStrategy strategy, long seed, int budget, int batchSize) {
        return run(strategy.start(problem(budget, batchSize), seed));
    }

    /** Drives a started run to its end (ask, look up the table, tell) and returns every evaluation. */
    public List<Evaluation> run(StrategyRun run) {
        List<Evaluation> all = new ArrayList<>();
        for (List<Architecture> batch = run.ask(); !batch.isEmpty(); batch = run.ask()) {
            List<Evaluation> results = batch.stream().map(this::evaluate).toList();
            all.addAll(results);
            run.tell(results);
        }
        return all;
    }

    /** The hypervolume gap of the OK evaluations to the true front. */
    public double hvGap(List<Evaluation> found) {
        return Hypervolume.gap(points(found), trueFront, REFERENCE);
    }

    /** The share of the true front's architectures among the evaluations. */
    public double frontRecall(List<Evaluation> found) {
        long hit = found.stream().map(Evaluation::architecture).distinct().filter(trueFrontArchs::contains).count();
        return (double) hit / trueFrontArchs.size();
    }

    private double[][] points(List<Evaluation> found) {
        return found.stream().filter(Evaluation::isOk)
                .map(e -> scaler.scale(new double[] {-e.metric("accuracy"), e.metric(latencyMetric())}))
                .toArray(double[][]::new);
    }

    /** Mean and sample standard deviation of the HV gap and mean front recall of one strategy over seeds. */
    public record Summary(double hvGapMean, double hvGapSd, double frontRecallMean, double[] hvGaps,
            List<Map<String, Object>> reports) {
    }

    /** Runs one strategy with seeds {@code 0..seeds-1}. */
    public Summary measure(SearchStrategy strategy, int budget, int batchSize, int seeds) {
        double[] gaps = new double[seeds];
        double recall = 0;
        List<Map<String, Object>> reports = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
            StrategyRun run = strategy.start(problem(budget, batchSize), s);
            List<Evaluation> found = run(run);
            reports.add(run.report());
            gaps[s] = hvGap(found);
            recall += frontRecall(found);
        }
        // The JDK's compensated average: Commons Math's Mean (sum / n plus a correction) can differ
        // from it in the last bit, and the figures must not change.
        double mean = java.util.Arrays.stream(gaps).average().orElse(Double.NaN);
        double sd = seeds > 1 ? new StandardDeviation(true).evaluate(gaps, mean) : 0;
        return new Summary(mean, sd, recall / seeds, gaps, List.copyOf(reports));
    }
}
