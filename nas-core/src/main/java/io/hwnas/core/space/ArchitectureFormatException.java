package io.hwnas.core.space;

/** An architecture string that does not parse; the message says where and what was expected. */
public final class ArchitectureFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final String text;
    private final int position;

    public ArchitectureFormatException(String space, String text, int position, String problem) {
        super(space + " architecture '" + text + "' does not parse at character " + position + ": " + problem);
        this.text = text;
        this.position = position;
    }

    public String text() {
        return text;
    }

    /** Zero-based character offset of the problem. */
    public int position() {
        return position;
    }
}
