package io.hwnas.experiments.config;

import java.util.List;

/** A config with problems; the message lists every one, each naming file, field, value and what is allowed. */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0)
                : problems.size() + " problems in the config:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
