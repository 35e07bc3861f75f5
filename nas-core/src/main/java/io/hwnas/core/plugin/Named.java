package io.hwnas.core.plugin;

/** A plugin that config files refer to by name. */
public interface Named {

    /** The name used in config files and on the command line, e.g. {@code nb201}. */
    String name();
}
