package io.hwnas.experiments.exec.slurm;

import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.Estimate;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.run.TestPlugins;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code test-slow}: the scores of {@code test-macs}, taking {@code sleep_ms} per candidate, so
 * that runs with different sleeps give identical results and only their timing differs.
 */
public final class SlowAccuracy implements AccuracyEstimator {

    private final long sleepMs;
    private final AccuracyEstimator scores;
    private final Map<String, Object> options;

    public SlowAccuracy() {
        this(0, new TestPlugins.MacsAccuracy(), Map.of());
    }

    private SlowAccuracy(long sleepMs, AccuracyEstimator scores, Map<String, Object> options) {
        this.sleepMs = sleepMs;
        this.scores = scores;
        this.options = options;
    }

    @Override
    public String name() {
        return "test-slow";
    }

    @Override
    public AccuracyEstimator withOptions(Map<String, ?> options) {
        Map<String, Object> rest = new LinkedHashMap<>(options);
        Object sleep = rest.remove("sleep_ms");
        if (sleep != null && !(sleep instanceof Number)) {
            throw new IllegalArgumentException("test-slow: sleep_ms must be a number of milliseconds");
        }
        return new SlowAccuracy(sleep == null ? 0 : ((Number) sleep).longValue(),
                new TestPlugins.MacsAccuracy().withOptions(rest), Map.copyOf(options));
    }

    @Override
    public Map<String, Object> options() {
        return options;
    }

    @Override
    public boolean isAccuracy() {
        return true;
    }

    @Override
    public Estimate estimate(SearchSpace space, Architecture a, long seed) {
        try {
            Thread.sleep(sleepMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return scores.estimate(space, a, seed);
    }
}
