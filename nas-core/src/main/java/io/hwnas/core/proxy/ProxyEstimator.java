package io.hwnas.core.proxy;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.accuracy.EstimatorOptions;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An accuracy estimator that scores with one zero-cost proxy on the space's reference network,
 * or, once {@link #forNetwork bound to a run}, on the run's network (its input shape and classes,
 * the network the devices cost). Data proxies take options {@code batch} (inputs per batch,
 * default 64), {@code data} ({@code random}: seeded Gaussian inputs, or a dataset name, whose
 * training images are fitted to the network's input), {@code dir} (the dataset's folder) and
 * {@code data_seed} (which batch; the same for every architecture). The subclasses exist so that
 * each proxy is a service under its own name.
 */
public class ProxyEstimator implements AccuracyEstimator {

    static final Set<String> DATA_OPTIONS = Set.of("batch", "data", "dir", "data_seed");

    private final ZeroCostProxy proxy;
    private final ProxyData data;
    private final Shape input;
    private final int classes;

    ProxyEstimator(ZeroCostProxy proxy) {
        this(proxy, ProxyData.DEFAULT, null, 0);
    }

    /** @param input the run's input shape, or {@code null} for the space's reference network */
    private ProxyEstimator(ZeroCostProxy proxy, ProxyData data, Shape input, int classes) {
        this.proxy = proxy;
        this.data = data;
        this.input = input;
        this.classes = classes;
    }

    /** An estimator for any proxy, with the default data options. */
    public static ProxyEstimator of(ZeroCostProxy proxy) {
        return new ProxyEstimator(proxy);
    }

    public ZeroCostProxy proxy() {
        return proxy;
    }

    @Override
    public String name() {
        return proxy.name();
    }

    @Override
    public ProxyEstimator withOptions(Map<String, ?> options) {
        String owner = "accuracy estimator " + name();
        EstimatorOptions o = new EstimatorOptions(owner, options, proxy.needsData() ? DATA_OPTIONS : Set.of());
        return new ProxyEstimator(proxy, proxy.needsData() ? ProxyData.read(o, data) : data, input, classes);
    }

    @Override
    public ProxyEstimator forNetwork(Shape input, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("a network needs at least 1 class, but was given " + classes);
        }
        return new ProxyEstimator(proxy, data, java.util.Objects.requireNonNull(input, "input"), classes);
    }

    /** The network this estimator scores for an architecture: the run's when bound, else the space's reference. */
    Network network(SearchSpace space, Architecture architecture) {
        return input == null ? space.network(architecture) : space.network(architecture, input, classes);
    }

    /** Which input the proxy reads for {@code space}'s networks, in words (for the JSON and the README). */
    public String dataDescription(SearchSpace space) {
        Shape in = input == null ? space.defaultInput() : input;
        if (proxy.needsData()) {
            return data.describe(in);
        }
        return proxy instanceof Synflow ? "an all-ones input of " + in : "none (counts of the IR)";
    }

    @Override
    public Map<String, Object> options() {
        return proxy.needsData() ? data.options() : Options.ordered();
    }

    @Override
    public boolean isAccuracy() {
        return false;
    }

    @Override
    public Estimate estimate(SearchSpace space, Architecture architecture, long seed) {
        Network net = network(space, architecture);
        return new Estimate(score(net, seed), proxy.name(), Map.of());
    }

    double score(Network net, long seed) {
        ProxyBatch batch = proxy.needsData() ? data.batch(net.inputShape(), net.outputShape().channels()) : null;
        return proxy.score(net, batch, seed);
    }

    /** The proxies by name. */
    public static final List<String> NAMES = List.of("synflow", "nwot", "snip", "grad_norm", "jacov", "params",
            "flops");

    /** A new proxy by name. */
    public static ZeroCostProxy proxy(String name) {
        switch (name) {
            case "synflow":
                return new Synflow();
            case "nwot":
                return new Nwot();
            case "snip":
                return new Snip();
            case "grad_norm":
                return new GradNorm();
            case "jacov":
                return new Jacov();
            case "params":
                return CountProxy.params();
            case "flops":
                return CountProxy.flops();
            default:
                throw new IllegalArgumentException("zero-cost proxy '" + name + "' is not known; expected one of "
                        + NAMES);
        }
    }

    /** The {@code synflow} service. */
    public static final class SynflowEstimator extends ProxyEstimator {
        public SynflowEstimator() {
            super(new Synflow());
        }
    }

    /** The {@code nwot} service. */
    public static final class NwotEstimator extends ProxyEstimator {
        public NwotEstimator() {
            super(new Nwot());
        }
    }

    /** The {@code snip} service. */
    public static final class SnipEstimator extends ProxyEstimator {
        public SnipEstimator() {
            super(new Snip());
        }
    }

    /** The {@code grad_norm} service. */
    public static final class GradNormEstimator extends ProxyEstimator {
        public GradNormEstimator() {
            super(new GradNorm());
        }
    }

    /** The {@code jacov} service. */
    public static final class JacovEstimator extends ProxyEstimator {
        public JacovEstimator() {
            super(new Jacov());
        }
    }

    /** The {@code params} service. */
    public static final class ParamsEstimator extends ProxyEstimator {
        public ParamsEstimator() {
            super(CountProxy.params());
        }
    }

    /** The {@code flops} service. */
    public static final class FlopsEstimator extends ProxyEstimator {
        public FlopsEstimator() {
            super(CountProxy.flops());
        }
    }
}
