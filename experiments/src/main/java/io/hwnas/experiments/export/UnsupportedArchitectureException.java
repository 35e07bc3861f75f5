package io.hwnas.experiments.export;

/** An architecture, network or weights file the exporter cannot express in ONNX (bad input: exit 2). */
public final class UnsupportedArchitectureException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public UnsupportedArchitectureException(String message) {
        super(message);
    }

    public UnsupportedArchitectureException(String message, Throwable cause) {
        super(message, cause);
    }
}
