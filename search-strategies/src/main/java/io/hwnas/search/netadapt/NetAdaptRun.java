package io.hwnas.search.netadapt;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.search.AbstractRun;
import io.hwnas.search.Evaluation;
import io.hwnas.search.SearchProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** One NetAdapt run: the start network, then one batch of per-layer candidates per iteration. */
final class NetAdaptRun extends AbstractRun {

    /** The mobilenet space's per-layer attributes NetAdapt shrinks. */
    private static final int EXPANSION = 1;
    private static final int CHANNELS = 3;

    private final NetAdapt config;
    private final MobilenetSpace space;
    private final Architecture start;
    private final String latencyMetric;
    private final String accuracyMetric;
    private final Map<Architecture, Evaluation> evaluated = new HashMap<>();
    private final List<Map<String, Object>> trajectory = new ArrayList<>();
    private final double initialLatency;
    private final double budget;
    private Architecture current;
    private double currentLatency;
    private int iteration;
    private double target;
    private List<Architecture> candidates = List.of();
    private String stopReason = "running";

    NetAdaptRun(NetAdapt config, SearchProblem problem, MobilenetSpace space, Architecture start, String latencyMetric,
            String accuracyMetric) {
        super(problem);
        this.config = config;
        this.space = space;
        this.start = start;
        this.latencyMetric = latencyMetric;
        this.accuracyMetric = accuracyMetric;
        this.initialLatency = predict(start);
        this.budget = config.latencyBudget > 0 ? config.latencyBudget : config.budgetRatio * initialLatency;
    }

    private double predict(Architecture a) {
        OptionalDouble p = problem.oracle().predict(latencyMetric, a);
        if (p.isEmpty() || !(p.getAsDouble() >= 0)) {
            throw new IllegalStateException("strategy netadapt needs the cost oracle to predict " + latencyMetric
                    + " for " + a.canonical() + ", but it gave " + (p.isEmpty() ? "nothing" : p.getAsDouble()));
        }
        return p.getAsDouble();
    }

    @Override
    protected List<Architecture> propose(int remaining) {
        if (current == null) {
            candidates = List.of(start);
            claim(start);
            return candidates;
        }
        while (true) {
            if (currentLatency <= budget) {
                return stop("the predicted " + latencyMetric + " " + currentLatency + " is within the budget " + budget);
            }
            if (iteration >= config.maxIterations) {
                return stop("max_iterations " + config.maxIterations + " reached");
            }
            iteration++;
            target = currentLatency - config.r0 * initialLatency * Math.pow(config.decay, iteration - 1);
            candidates = candidates();
            if (candidates.isEmpty()) {
                return stop("no layer can be shrunk to meet the target " + target);
            }
            List<Architecture> batch = new ArrayList<>();
            for (Architecture c : candidates) {
                if (!evaluated.containsKey(c) && batch.size() < remaining && claim(c)) {
                    batch.add(c);
                }
            }
            if (!batch.isEmpty()) {
                return batch;
            }
            if (!select()) { // every candidate was evaluated before: decide at once
                return List.of();
            }
        }
    }

    /**
     * One candidate per shrinkable unit (see {@link NetAdapt}'s {@code granularity}), each shrunk step
     * by step until the predicted latency meets the target; units that cannot meet it give none.
     */
    private List<Architecture> candidates() {
        List<Architecture> out = new ArrayList<>();
        int[] v = space.encode(current);
        List<int[]> layers = NetAdapt.layers(space, current);
        if (config.granularity.equals("layer")) {
            for (int[] layer : layers) {
                addFirstMeeting(out, v, List.of(MobilenetSpace.position(layer[0], layer[1], CHANNELS)), +1,
                        MobilenetSpace.CHANNEL_SCALES.length - 1, -1);
            }
            return out;
        }
        long additions = additions(current);
        for (int s = 0; s < 5; s++) {
            List<Integer> stage = new ArrayList<>();
            for (int[] layer : layers) {
                if (layer[0] == s) {
                    stage.add(MobilenetSpace.position(s, layer[1], CHANNELS));
                }
            }
            addFirstMeeting(out, v, stage, +1, MobilenetSpace.CHANNEL_SCALES.length - 1, additions);
        }
        for (int[] layer : layers) {
            addFirstMeeting(out, v, List.of(MobilenetSpace.position(layer[0], layer[1], EXPANSION)), -1, 0, additions);
        }
        return out;
    }

    /**
     * Moves the choices at {@code positions} one step at a time in {@code direction} (each stopping at
     * {@code limit}) and adds the first architecture whose predicted latency meets the target, skipping
     * steps whose network has another number of residual additions than {@code additions} (-1: any).
     */
    private void addFirstMeeting(List<Architecture> out, int[] from, List<Integer> positions, int direction,
            int limit, long additions) {
        int[] v = from.clone();
        while (true) {
            boolean moved = false;
            for (int p : positions) {
                if (v[p] != limit) {
                    v[p] += direction;
                    moved = true;
                }
            }
            if (!moved) {
                return;
            }
            Architecture c = space.decode(v);
            if (additions >= 0 && additions(c) != additions) {
                continue; // a narrower stage can match its input's width and gain a residual addition
            }
            if (predict(c) <= target) {
                if (!out.contains(c)) {
                    out.add(c);
                }
                return;
            }
        }
    }

    /** The number of residual additions in an architecture's network. */
    private long additions(Architecture a) {
        return space.network(a).layers().stream().filter(l -> l.kind() == io.hwnas.core.ir.LayerKind.ADD).count();
    }

    /** The candidates of an iteration come from the network that iteration shrinks. */
    @Override
    public Optional<Architecture> parentOf(Architecture proposed) {
        return current != null && candidates.contains(proposed) ? Optional.of(current) : Optional.empty();
    }

    private List<Architecture> stop(String reason) {
        stopReason = reason;
        finish();
        return List.of();
    }

    @Override
    protected void observe(List<Evaluation> results) {
        for (Evaluation e : results) {
            evaluated.put(e.architecture(), e);
        }
        if (current == null) {
            Evaluation e = evaluated.get(start);
            current = start;
            currentLatency = initialLatency;
            record(e, 0, "", List.of());
            if (!usable(e)) {
                stop("the start network's evaluation " + e.status() + ": " + e.error());
            }
            return;
        }
        select();
    }

    /** Keeps the most accurate evaluated candidate (lower predicted latency on ties); false when none is usable. */
    private boolean select() {
        Architecture best = null;
        double bestAcc = Double.NEGATIVE_INFINITY;
        double bestLat = Double.POSITIVE_INFINITY;
        for (Architecture c : candidates) {
            Evaluation e = evaluated.get(c);
            if (e == null || !usable(e)) {
                continue;
            }
            double acc = e.metric(accuracyMetric);
            double lat = predict(c);
            if (acc > bestAcc || acc == bestAcc && lat < bestLat) {
                best = c;
                bestAcc = acc;
                bestLat = lat;
            }
        }
        if (best == null) {
            stop("no candidate of iteration " + iteration + " was evaluated successfully");
            return false;
        }
        Architecture previous = current;
        current = best;
        currentLatency = bestLat;
        record(evaluated.get(best), candidates.size(), shrunk(previous, best), candidateAccuracies());
        return true;
    }

    /**
     * Has an accuracy and breaks no constraint but the latency one: that constraint is what NetAdapt is
     * working towards, so an INFEASIBLE result that only breaks it still counts.
     */
    private boolean usable(Evaluation e) {
        boolean measured = e.isOk() || e.status() == Evaluation.Status.INFEASIBLE;
        return measured && Double.isFinite(e.metric(accuracyMetric)) && onlyLatencyBreaks(e);
    }

    private boolean onlyLatencyBreaks(Evaluation e) {
        return problem.constraints().stream().allMatch(c -> c.metric().equals(latencyMetric) || c.satisfiedBy(e.metrics()));
    }

    /**
     * What the step shrank: {@code stage2 1.0->0.75} (every block of a stage alike), {@code stage2.layer1
     * 1.0->0.75} (one block's output channels) or {@code stage2.layer1 e6->e4} (its expansion).
     */
    private String shrunk(Architecture from, Architecture to) {
        int[] a = space.encode(from);
        int[] b = space.encode(to);
        List<String> out = new ArrayList<>();
        List<int[]> layers = NetAdapt.layers(space, to);
        for (int s = 0; s < 5; s++) {
            Map<String, List<String>> byChange = new LinkedHashMap<>(); // "1.0->0.75" -> layers that made it
            int inStage = 0;
            for (int[] layer : layers) {
                if (layer[0] == s) {
                    inStage++;
                    int p = MobilenetSpace.position(s, layer[1], CHANNELS);
                    if (a[p] != b[p]) {
                        byChange.computeIfAbsent(MobilenetSpace.CHANNEL_SCALES[a[p]] + "->"
                                + MobilenetSpace.CHANNEL_SCALES[b[p]], k -> new ArrayList<>()).add(".layer" + layer[1]);
                    }
                }
            }
            for (Map.Entry<String, List<String>> e : byChange.entrySet()) {
                if (inStage > 1 && e.getValue().size() == inStage) {
                    out.add("stage" + s + " " + e.getKey());
                } else {
                    for (String l : e.getValue()) {
                        out.add("stage" + s + l + " " + e.getKey());
                    }
                }
            }
        }
        for (int[] layer : layers) {
            int p = MobilenetSpace.position(layer[0], layer[1], EXPANSION);
            if (a[p] != b[p]) {
                out.add("stage" + layer[0] + ".layer" + layer[1] + " e" + MobilenetSpace.EXPANSIONS[a[p]] + "->e"
                        + MobilenetSpace.EXPANSIONS[b[p]]);
            }
        }
        return String.join(" ", out);
    }

    /** The short-term accuracy of every candidate of this iteration (NaN where its evaluation was unusable). */
    private List<Double> candidateAccuracies() {
        List<Double> out = new ArrayList<>();
        for (Architecture c : candidates) {
            Evaluation e = evaluated.get(c);
            out.add(e != null && usable(e) ? e.metric(accuracyMetric) : Double.NaN);
        }
        return out;
    }

    /**
     * One trajectory row: iteration, the latency target, the chosen network (which layer it shrank,
     * its architecture string, predicted latency and short-term accuracy) and the number of candidates.
     */
    private void record(Evaluation e, int candidateCount, String shrunk, List<Double> candidateAccuracies) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iteration", iteration);
        m.put("target", iteration == 0 ? initialLatency : target);
        m.put("shrunk", shrunk);
        m.put("arch", e.architecture().canonical());
        m.put("latency", currentLatency);
        m.put("accuracy", e.metric(accuracyMetric));
        m.put("candidates", candidateCount);
        m.put("candidate_accuracies", List.copyOf(candidateAccuracies));
        trajectory.add(java.util.Collections.unmodifiableMap(m));
    }

    @Override
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", latencyMetric);
        m.put("initial_latency", initialLatency);
        m.put("latency_budget", budget);
        m.put("stop", stopReason);
        m.put("final", current == null ? null : current.canonical());
        m.put("trajectory", List.copyOf(trajectory));
        return m;
    }
}
