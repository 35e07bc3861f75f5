package io.hwnas.core.train;

/**
 * A training whose loss, or whose validation logits, stopped being finite numbers (NaN or
 * infinite). Its accuracy would be meaningless (NaN logits pick class 0, i.e. chance), so the
 * evaluation fails with this message instead of scoring.
 */
public final class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }

    /** "NaN", "infinite" or "-infinite" for a non-finite value. */
    static String kind(double v) {
        return Double.isNaN(v) ? "NaN" : v > 0 ? "infinite" : "-infinite";
    }
}
