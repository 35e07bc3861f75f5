package io.hwnas.core.accuracy;

import io.hwnas.core.plugin.Registry;
import java.util.Map;

/** The accuracy estimators on the class path, by name. */
public final class AccuracyEstimators {

    private static final class Holder {
        static final Registry<AccuracyEstimator> REGISTRY =
                Registry.load("accuracy estimator", AccuracyEstimator.class);
    }

    private AccuracyEstimators() {
    }

    public static Registry<AccuracyEstimator> registry() {
        return Holder.REGISTRY;
    }

    public static AccuracyEstimator get(String name, Map<String, ?> options) {
        AccuracyEstimator e = registry().get(name);
        return options == null || options.isEmpty() ? e : e.withOptions(options);
    }
}
