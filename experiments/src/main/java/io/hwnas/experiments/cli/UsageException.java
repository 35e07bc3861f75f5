package io.hwnas.experiments.cli;

/** Bad usage or bad input (an unknown name, a malformed file or value): exit code 2. */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
