package io.hwnas.core.ir;

/** The shape of one sample's activation tensor, channels x height x width (batch excluded). */
public record Shape(int channels, int height, int width) {

    public Shape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "shape dimensions must be positive, but were " + channels + "x" + height + "x" + width);
        }
    }

    /** Number of elements of one sample. */
    public long elements() {
        return (long) channels * height * width;
    }

    public Shape withChannels(int c) {
        return new Shape(c, height, width);
    }

    /**
     * Parses {@code CxHxW}, e.g. {@code 3x32x32}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static Shape parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "input shape '" + text + "' must have the form CxHxW with three positive integers, e.g. 3x32x32");
        }
        try {
            int c = Integer.parseInt(parts[0]);
            int h = Integer.parseInt(parts[1]);
            int w = Integer.parseInt(parts[2]);
            if (c <= 0 || h <= 0 || w <= 0) {
                throw new NumberFormatException();
            }
            return new Shape(c, h, w);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "input shape '" + text + "' must have the form CxHxW with three positive integers, e.g. 3x32x32",
                    e);
        }
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
