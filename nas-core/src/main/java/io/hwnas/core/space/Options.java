package io.hwnas.core.space;

import io.hwnas.core.plugin.PluginOptions;
import java.util.Map;
import java.util.Set;

/** Reads a space's options map (see {@link PluginOptions}). */
public final class Options extends PluginOptions {

    public Options(String owner, Map<String, ?> values, Set<String> allowed) {
        super(owner, values, allowed);
    }
}
