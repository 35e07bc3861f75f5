package io.hwnas.core.space;

import java.util.List;

/** A decision vector or architecture that breaks the space's rules; lists every violation. */
public final class InvalidArchitectureException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final List<String> violations;

    public InvalidArchitectureException(String what, List<String> violations) {
        super("invalid architecture " + what + ": " + String.join("; ", violations));
        this.violations = List.copyOf(violations);
    }

    public List<String> violations() {
        return violations;
    }
}
