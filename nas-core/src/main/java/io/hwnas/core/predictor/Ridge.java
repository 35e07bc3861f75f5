package io.hwnas.core.predictor;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/** Ridge regression (linear least squares with an L2 penalty on the weights, an unpenalised intercept). */
public final class Ridge {

    private final double[] weights;
    private final double intercept;

    Ridge(double[] weights, double intercept) {
        this.weights = weights.clone();
        this.intercept = intercept;
    }

    double[] weights() {
        return weights.clone();
    }

    double intercept() {
        return intercept;
    }

    /** Fits {@code y} from {@code x} (rows are samples) with penalty {@code lambda}, solving the normal equations. */
    public static Ridge fit(double[][] x, double[] y, double lambda) {
        int n = x.length;
        int d = x[0].length;
        double[] mx = new double[d];
        double my = 0;
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < d; i++) {
                mx[i] += x[k][i] / n;
            }
            my += y[k] / n;
        }
        double[][] a = new double[d][d];
        double[] b = new double[d];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < d; i++) {
                double xi = x[k][i] - mx[i];
                b[i] += xi * (y[k] - my);
                for (int j = 0; j <= i; j++) {
                    a[i][j] += xi * (x[k][j] - mx[j]);
                }
            }
        }
        for (int i = 0; i < d; i++) {
            a[i][i] += lambda;
            for (int j = 0; j < i; j++) {
                a[j][i] = a[i][j];
            }
        }
        RealMatrix m = new Array2DRowRealMatrix(a, false);
        double[] w = new CholeskyDecomposition(m, 1e-12, 1e-12).getSolver().solve(new ArrayRealVector(b, false))
                .toArray();
        double c = my;
        for (int i = 0; i < d; i++) {
            c -= w[i] * mx[i];
        }
        return new Ridge(w, c);
    }

    public double predict(double[] x) {
        double s = intercept;
        for (int i = 0; i < weights.length; i++) {
            s += weights[i] * x[i];
        }
        return s;
    }
}
