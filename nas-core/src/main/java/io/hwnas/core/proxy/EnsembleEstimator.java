package io.hwnas.core.proxy;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.accuracy.EstimatorOptions;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.math3.stat.StatUtils;

/**
 * Combines the ranks of several proxies: each proxy's score is ranked against the scores of a
 * fixed seeded reference sample of the space (its percentile, 0..100), and the value is the mean
 * percentile. Options: {@code proxies} (default synflow, jacov, nwot), {@code reference} (the
 * reference sample's size, default 32) and the data options of the proxies. Bound to a run
 * ({@link #forNetwork}), the candidate and the reference sample are the run's networks.
 */
public final class EnsembleEstimator implements AccuracyEstimator {

    private static final List<String> DEFAULT = List.of("synflow", "jacov", "nwot");
    private static final Map<String, double[]> REFERENCES = new ConcurrentHashMap<>();

    private final List<ProxyEstimator> members;
    private final int reference;
    private final Shape input;
    private final int classes;

    public EnsembleEstimator() {
        this(DEFAULT.stream().map(n -> ProxyEstimator.of(ProxyEstimator.proxy(n))).toList(), 32, null, 0);
    }

    /** @param input the run's input shape, or {@code null} for the space's reference networks */
    private EnsembleEstimator(List<ProxyEstimator> members, int reference, Shape input, int classes) {
        this.members = List.copyOf(members);
        this.reference = reference;
        this.input = input;
        this.classes = classes;
    }

    @Override
    public String name() {
        return "ensemble";
    }

    @Override
    public EnsembleEstimator withOptions(Map<String, ?> options) {
        Set<String> allowed = new HashSet<>(ProxyEstimator.DATA_OPTIONS);
        allowed.addAll(Set.of("proxies", "reference"));
        EstimatorOptions o = new EstimatorOptions("accuracy estimator ensemble", options, allowed);
        List<String> names = o.names("proxies", members.stream().map(ProxyEstimator::name).toList(),
                ProxyEstimator.NAMES);
        int ref = o.integer("reference", reference, 4, 10_000);
        Map<String, Object> data = new LinkedHashMap<>();
        if (options != null) {
            options.forEach((k, v) -> {
                if (ProxyEstimator.DATA_OPTIONS.contains(k)) {
                    data.put(k, v);
                }
            });
        }
        EnsembleEstimator next = new EnsembleEstimator(names.stream().map(n -> {
            ProxyEstimator e = ProxyEstimator.of(ProxyEstimator.proxy(n));
            return e.proxy().needsData() ? e.withOptions(data) : e;
        }).toList(), ref, null, 0);
        return input == null ? next : next.forNetwork(input, classes);
    }

    @Override
    public EnsembleEstimator forNetwork(Shape input, int classes) {
        return new EnsembleEstimator(members.stream().map(e -> e.forNetwork(input, classes)).toList(), reference,
                input, classes);
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("proxies", members.stream().map(ProxyEstimator::name).toList());
        m.put("reference", reference);
        members.stream().filter(e -> e.proxy().needsData()).findFirst().ifPresent(e -> m.putAll(e.options()));
        return Options.ordered(m.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                .toArray());
    }

    /** Which input the members read, in words: each member's {@link ProxyEstimator#dataDescription}. */
    public String dataDescription(SearchSpace space) {
        return String.join("; ", members.stream().map(e -> e.name() + ": " + e.dataDescription(space)).toList());
    }

    @Override
    public boolean isAccuracy() {
        return false;
    }

    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed) {
        Network net = members.get(0).network(space, architecture);
        double[] pct = new double[members.size()];
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < pct.length; i++) {
            ProxyEstimator e = members.get(i);
            double s = e.score(net, seed);
            pct[i] = percentile(reference(space, e), s);
            details.put(e.name(), s);
        }
        // the mean as sum / n: Commons Math's Mean adds a correction term that can change the last bit
        return new Estimate(StatUtils.sum(pct) / pct.length, "ensemble", details);
    }

    /** The sorted scores of the reference sample (seeded, cached per space, proxy and options). */
    private double[] reference(SearchSpace space, ProxyEstimator e) {
        String key = space.name() + space.options() + "|" + e.name() + e.options() + "|" + reference + "|" + input
                + "|" + classes;
        return REFERENCES.computeIfAbsent(key, k -> {
            SplittableRandom r = new SplittableRandom(0x5eed);
            double[] s = new double[reference];
            for (int i = 0; i < reference; i++) {
                s[i] = e.score(e.network(space, space.sample(r)), i);
            }
            Arrays.sort(s);
            return s;
        });
    }

    /** Percent of the reference below {@code s}, ties counting half. */
    static double percentile(double[] sorted, double s) {
        double below = 0;
        for (double v : sorted) {
            below += v < s ? 1 : v == s ? 0.5 : 0;
        }
        return 100 * below / sorted.length;
    }
}
