package io.hwnas.experiments.run;

import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.Bound;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.LayerCost;
import io.hwnas.experiments.config.ExperimentConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small deterministic plugins that let the runner be tested apart from the real estimators and strategies. */
public final class TestPlugins {

    private TestPlugins() {
    }

    /** Accuracy that grows with MACs; fails on request for architectures whose string contains a marker. */
    public static final class MacsAccuracy implements AccuracyEstimator {
        private final String failOn;

        public MacsAccuracy() {
            this(null);
        }

        MacsAccuracy(String failOn) {
            this.failOn = failOn;
        }

        @Override
        public String name() {
            return "test-macs";
        }

        @Override
        public AccuracyEstimator withOptions(Map<String, ?> options) {
            Object f = options.get("fail_on");
            if (options.keySet().stream().anyMatch(k -> !k.equals("fail_on"))) {
                throw new IllegalArgumentException("test-macs: unknown option; allowed options are [fail_on]");
            }
            return new MacsAccuracy(f == null ? null : f.toString());
        }

        @Override
        public Map<String, Object> options() {
            return failOn == null ? Map.of() : Map.of("fail_on", failOn);
        }

        @Override
        public boolean isAccuracy() {
            return true;
        }

        @Override
        public Estimate estimate(SearchSpace space, Architecture a, long seed) {
            if (failOn != null && a.canonical().contains(failOn)) {
                throw new IllegalStateException("simulated failure for " + a.canonical());
            }
            double macs = space.network(a).macs();
            double noise = new SplittableRandom(seed).nextDouble() * 2;
            return new Estimate(10 + 80 * (1 - Math.exp(-macs / 6e7)) + noise, "test", Map.of("macs", macs));
        }
    }

    /** A roofline-free device: latency proportional to MACs plus a per-layer overhead. */
    public static DeviceTarget device(ExperimentConfig.DeviceSpec spec) {
        if (spec.profile().equals("missing")) {
            throw new IllegalArgumentException("unknown device 'missing'");
        }
        double gmacs = spec.profile().equals("slow") ? 2 : 20;
        return new DeviceTarget() {
            @Override
            public String name() {
                return spec.name();
            }

            @Override
            public String description() {
                return spec.profile() + " test device";
            }

            @Override
            public CostReport cost(Architecture a, Network n) {
                List<LayerCost> rows = new ArrayList<>();
                double total = 0;
                for (Layer l : n.operators()) {
                    double t = l.macs() / (gmacs * 1e6) + 0.002;
                    total += t;
                    rows.add(new LayerCost(l.name(), l.kind(), t, t * 2, l.macs() > 0 ? Bound.COMPUTE : Bound.OVERHEAD));
                }
                return new CostReport(spec.profile(), "test", spec.batch(), total * spec.batch(), total * 2,
                        n.peakActivationBytes(), n.modelBytes(), rows,
                        n.params() > 1_400_000 ? List.of("params " + n.params() + " > 1400000") : List.of());
            }

            @Override
            public Map<String, String> hashes() {
                return Map.of("profile", "test:" + spec.profile());
            }
        };
    }
}
