package io.hwnas.experiments.evaluate;

import io.hwnas.cost.CostReport;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.accuracy.WarmStart;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.train.Segment;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.cost.DeviceMetric;
import io.hwnas.cost.Metric;
import io.hwnas.search.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates one candidate: accuracy once, then the costs on every device. Never throws for a
 * candidate: exceptions, NaN scores and out-of-memory become FAILED evaluations; broken device
 * limits or constraints make it INFEASIBLE (with its metrics kept).
 */
public final class CandidateEvaluator {

    /** The metrics journaled per device, in journal order (also the columns of the Pareto CSV files). */
    public static final List<Metric> METRICS =
            List.of(Metric.LATENCY_MS, Metric.ENERGY_MJ, Metric.PEAK_MEMORY_BYTES, Metric.MODEL_BYTES);

    /** The metric that holds the training steps of a multi-fidelity rung's evaluation. */
    public static final String FIDELITY_STEPS = "fidelity.steps";

    private final SearchSpace space;
    private final AccuracyEstimator accuracy;
    private final List<DeviceTarget> devices;
    private final Map<String, Map<String, Double>> constraints;
    private final Shape input;
    private final int classes;
    private final long seed;

    public CandidateEvaluator(SearchSpace space, AccuracyEstimator accuracy, List<DeviceTarget> devices,
            Map<String, Map<String, Double>> constraints, Shape input, int classes, long seed) {
        this.space = space;
        this.accuracy = accuracy;
        this.devices = List.copyOf(devices);
        this.constraints = Map.copyOf(constraints);
        this.input = input;
        this.classes = classes;
        this.seed = seed;
    }

    public SearchSpace space() {
        return space;
    }

    public List<DeviceTarget> devices() {
        return devices;
    }

    /** The run's input shape per sample. */
    public Shape input() {
        return input;
    }

    /** The run's class count. */
    public int classes() {
        return classes;
    }

    /** The network every consumer of this run sees for an architecture. */
    public Network network(Architecture a) {
        return space.network(a, input, classes);
    }

    /** The seed of one architecture's evaluation: a function of the run seed and the architecture only. */
    public long seedFor(Architecture a) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (byte b : a.canonical().getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return h ^ (h >>> 31);
    }

    /** Evaluates one architecture; never throws. */
    public Evaluation evaluate(Architecture a) {
        return evaluate(a, null);
    }

    /**
     * Evaluates one architecture, with where its weights go and come from when the accuracy
     * estimator trains ({@link Lineage}); never throws.
     */
    public Evaluation evaluate(Architecture a, Lineage lineage) {
        try {
            Network network = network(a);
            Map<String, Double> metrics = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            Estimate est = null;
            Lineage.Rung rung = lineage == null ? null : lineage.rung(a).orElse(null);
            if (rung != null) { // multi-fidelity: this rung, from the checkpoint of the one before
                est = trainRung(a, lineage, rung, metrics);
            } else if (MeasuredFiringRates.wanted(devices, accuracy)) { // train first: the SNN costs need the weights
                est = trainAndMeasureRates(a, lineage, metrics);
            }
            costs(a, network, MeasuredFiringRates.of(metrics), metrics, problems);
            if (est == null) {
                est = lineage == null ? accuracy.estimate(space, a, seedFor(a))
                        : accuracy.estimate(space, a, seedFor(a), lineage.warmStart(a));
            }
            if (!Double.isFinite(est.value())) {
                return Evaluation.failed(a, "accuracy estimator " + accuracy.name() + " returned " + est.value());
            }
            metrics.put("accuracy", est.value());
            if (rung != null) {
                metrics.put(FIDELITY_STEPS, (double) rung.to());
            }
            for (Map.Entry<String, Object> e : est.details().entrySet()) {
                if (e.getValue() instanceof Number n && Double.isFinite(n.doubleValue())) {
                    metrics.put("accuracy." + e.getKey(), n.doubleValue());
                }
            }
            return problems.isEmpty() ? Evaluation.ok(a, metrics)
                    : Evaluation.infeasible(a, metrics, String.join("; ", problems));
        } catch (OutOfMemoryError | RuntimeException e) {
            return failed(a, e);
        }
    }

    /** True when a device of this run is measured from this process ({@link DeviceTarget#measuredByDriver}). */
    public boolean measuresInDriver() {
        return devices.stream().anyMatch(DeviceTarget::measuredByDriver);
    }

    /**
     * Completes an evaluation made where this run's measured devices cannot be reached (a cluster worker, which binds
     * them to their cost model alone): every device's costs, limits and constraints are taken again here, with the
     * worker's accuracy and firing rates, giving the evaluation the local executor gives. A FAILED evaluation, or
     * one of a run without such devices, is returned as it is; never throws.
     */
    public Evaluation complete(Evaluation partial) {
        if (partial.status() == Evaluation.Status.FAILED || !measuresInDriver()) {
            return partial;
        }
        Architecture a = partial.architecture();
        try {
            Map<String, Double> before = new LinkedHashMap<>(); // what evaluate puts before the costs: firing rates
            Map<String, Double> after = new LinkedHashMap<>(); // and after them: accuracy and its details
            boolean costsSeen = false;
            for (Map.Entry<String, Double> e : partial.metrics().entrySet()) {
                if (isDeviceKey(e.getKey())) {
                    costsSeen = true; // the worker's costs are taken again below
                } else {
                    (costsSeen ? after : before).put(e.getKey(), e.getValue());
                }
            }
            Map<String, Double> metrics = new LinkedHashMap<>(before);
            List<String> problems = new ArrayList<>();
            costs(a, network(a), MeasuredFiringRates.of(before), metrics, problems);
            metrics.putAll(after);
            return problems.isEmpty() ? Evaluation.ok(a, metrics)
                    : Evaluation.infeasible(a, metrics, String.join("; ", problems));
        } catch (OutOfMemoryError | RuntimeException e) {
            return failed(a, e);
        }
    }

    /** True for a metric {@link #costs} writes: {@code something@device} for a device of this run. */
    private boolean isDeviceKey(String key) {
        int at = key.lastIndexOf('@');
        return at > 0 && devices.stream().anyMatch(d -> d.name().equals(key.substring(at + 1)));
    }

    /** The FAILED evaluation of a candidate whose evaluation threw. */
    private static Evaluation failed(Architecture a, Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return Evaluation.failed(a, "out of memory: " + e.getMessage());
        }
        if (e instanceof DeviceUnavailableException) {
            return Evaluation.failed(a, DeviceUnavailableException.PREFIX + e.getMessage());
        }
        return Evaluation.failed(a, e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /** Each device's costs into {@code metrics}, its broken limits and constraints into {@code problems}. */
    private void costs(Architecture a, Network network, Map<String, Double> rates, Map<String, Double> metrics,
            List<String> problems) {
        for (DeviceTarget d : devices) {
            CostReport c = d.cost(a, network, rates);
            for (Metric m : METRICS) { // unknown energy is left out of the metrics (NaN there)
                m.known(c).ifPresent(v -> metrics.put(new DeviceMetric(m, d.name()).toString(), v));
            }
            metrics.put(DeviceMetric.violations(d.name()), (double) c.violations().size());
            measuredFlags(d.name(), c, metrics);
            for (String v : c.violations()) {
                problems.add(d.name() + ": " + v);
            }
            for (Map.Entry<String, Double> e : constraints.getOrDefault(d.name(), Map.of()).entrySet()) {
                double value = metrics.getOrDefault(new DeviceMetric(Metric.of(e.getKey()), d.name()).toString(),
                        Double.NaN);
                if (!(value <= e.getValue())) {
                    problems.add(d.name() + ": " + e.getKey() + " = " + fmt(value) + " exceeds " + fmt(e.getValue()));
                }
            }
        }
    }

    /** Copies what a measuring target says it measured (latency, energy: 1 measured, 0 predicted) into the metrics. */
    private static void measuredFlags(String device, CostReport c, Map<String, Double> metrics) {
        Double latency = c.details().get(DeviceTarget.LATENCY_MEASURED);
        if (latency != null) {
            metrics.put(DeviceTarget.latencyMeasured(device), latency);
        }
        Double energy = c.details().get(DeviceTarget.ENERGY_MEASURED);
        if (energy != null) {
            metrics.put(DeviceTarget.energyMeasured(device), energy);
        }
    }

    /**
     * Trains the candidate keeping its weights (where inheritance keeps them, else in a temporary
     * file) and measures its firing rates through them into {@code metrics}.
     */
    private Estimate trainAndMeasureRates(Architecture a, Lineage lineage, Map<String, Double> metrics) {
        TrainEstimator t = (TrainEstimator) accuracy;
        WarmStart warm = lineage == null ? null : lineage.warmStart(a);
        Path temp = null;
        try {
            Path keep;
            if (t.inherits() && warm != null) {
                keep = warm.save();
            } else {
                temp = Files.createTempFile("hwnas-rates-", ".weights");
                keep = temp;
            }
            Estimate est = t.estimate(space, a, seedFor(a), warm, keep);
            if (Double.isFinite(est.value())) {
                MeasuredFiringRates.measure(t, space, a, keep, metrics);
            }
            return est;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the weights of " + a.canonical() + " for its firing rates", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    /**
     * Trains one multi-fidelity rung, continuing from the checkpoint of the rung before, keeps its
     * checkpoint, and measures firing rates through it when a device wants them.
     */
    private Estimate trainRung(Architecture a, Lineage lineage, Lineage.Rung r, Map<String, Double> metrics) {
        if (!(accuracy instanceof TrainEstimator t)) {
            throw new IllegalStateException("multi-fidelity rungs need the train estimator, not " + accuracy.name());
        }
        Path save = lineage.checkpoint(a, r.to());
        Segment seg = new Segment(r.from(), r.to(), r.total(), r.from() == 0 ? null : lineage.checkpoint(a,
                r.from()), save);
        Estimate est = t.estimateRung(space, a, seedFor(a), seg);
        if (Double.isFinite(est.value()) && MeasuredFiringRates.wanted(devices, accuracy)) {
            MeasuredFiringRates.measure(t, space, a, save, metrics);
        }
        return est;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
