package io.hwnas.experiments.exec;

import io.hwnas.core.plugin.Registry;

/** The executor providers on the class path, by name. */
public final class ExecutorPlugins {

    private static final class Holder {
        static final Registry<ExecutorProvider> REGISTRY = Registry.load("executor", ExecutorProvider.class);
    }

    private ExecutorPlugins() {
    }

    public static Registry<ExecutorProvider> registry() {
        return Holder.REGISTRY;
    }
}
