package io.hwnas.cost.validation;

import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * How predictions agree with measurements: rank correlations (Commons Math: Spearman's rho with
 * average ranks for ties, Kendall's tau-b) and relative error shares.
 */
public final class Agreement {

    private Agreement() {
    }

    /** Spearman's rho; 0 when either side is constant (Commons Math gives NaN there). */
    public static double spearman(double[] x, double[] y) {
        return orZero(new SpearmansCorrelation().correlation(x, y));
    }

    /** Kendall's tau-b; 0 when either side is constant. */
    public static double kendall(double[] x, double[] y) {
        return orZero(new KendallsCorrelation().correlation(x, y));
    }

    private static double orZero(double r) {
        return Double.isNaN(r) ? 0 : r;
    }

    /** Mean absolute percentage error, in percent. */
    public static double mape(double[] predicted, double[] measured) {
        double s = 0;
        for (int i = 0; i < measured.length; i++) {
            s += Math.abs(predicted[i] - measured[i]) / measured[i];
        }
        return 100 * s / measured.length;
    }

    /** Share of predictions within {@code tolerance} (relative) of the measurement. */
    public static double within(double[] predicted, double[] measured, double tolerance) {
        int k = 0;
        for (int i = 0; i < measured.length; i++) {
            if (Math.abs(predicted[i] - measured[i]) <= tolerance * measured[i]) {
                k++;
            }
        }
        return (double) k / measured.length;
    }
}
