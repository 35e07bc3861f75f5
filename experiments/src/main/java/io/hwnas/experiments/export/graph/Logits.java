package io.hwnas.experiments.export.graph;

/** Top-1 classes of a model's flattened output, rows of class scores. */
public final class Logits {

    private Logits() {
    }

    /** The index of the largest of the {@code width} scores of row {@code row} (the first on ties). */
    public static int argmax(float[] v, int row, int width) {
        int best = 0;
        for (int j = 1; j < width; j++) {
            if (v[row * width + j] > v[row * width + best]) {
                best = j;
            }
        }
        return best;
    }

    /** The fraction of the {@code samples} rows whose top-1 class in {@code y} equals that in {@code reference}. */
    public static double agreement(float[] y, float[] reference, int samples) {
        int width = y.length / samples;
        int agree = 0;
        for (int i = 0; i < samples; i++) {
            agree += argmax(y, i, width) == argmax(reference, i, width) ? 1 : 0;
        }
        return agree / (double) samples;
    }
}
