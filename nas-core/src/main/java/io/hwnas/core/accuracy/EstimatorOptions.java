package io.hwnas.core.accuracy;

import io.hwnas.core.plugin.PluginOptions;
import java.util.Map;
import java.util.Set;

/** Reads an accuracy estimator's options (see {@link PluginOptions}). */
public final class EstimatorOptions extends PluginOptions {

    public EstimatorOptions(String owner, Map<String, ?> values, Set<String> allowed) {
        super(owner, values, allowed);
    }
}
