package io.hwnas.core.plugin;

import java.util.List;

/** A plugin name that no registered plugin has; the message lists the allowed names. */
public final class UnknownNameException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final String kind;
    private final String value;
    private final List<String> allowed;

    public UnknownNameException(String kind, String value, List<String> allowed) {
        super("unknown " + kind + " '" + value + "'; expected one of " + allowed);
        this.kind = kind;
        this.value = value;
        this.allowed = List.copyOf(allowed);
    }

    public String kind() {
        return kind;
    }

    public String value() {
        return value;
    }

    public List<String> allowed() {
        return allowed;
    }
}
