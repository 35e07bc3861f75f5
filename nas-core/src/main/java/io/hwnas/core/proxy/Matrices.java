package io.hwnas.core.proxy;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/** The small dense linear algebra the proxies need, in double precision. */
final class Matrices {

    /** The floor for scores of degenerate networks (a singular kernel, a constant Jacobian). */
    static final double DEGENERATE = -1e9;

    private Matrices() {
    }

    static RealMatrix square(double[] rowMajor, int n) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rowMajor, i * n, a[i], 0, n);
        }
        return new Array2DRowRealMatrix(a, false);
    }

    /** {@code ln |det A|} by LU with partial pivoting; {@link #DEGENERATE} when singular. */
    static double logAbsDet(double[] rowMajor, int n) {
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = java.util.Arrays.copyOfRange(rowMajor, i * n, i * n + n);
        }
        double log = 0;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
                    p = r;
                }
            }
            if (a[p][c] == 0) {
                return DEGENERATE;
            }
            double[] t = a[p];
            a[p] = a[c];
            a[c] = t;
            log += Math.log(Math.abs(a[c][c]));
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                if (f != 0) {
                    for (int k = c; k < n; k++) {
                        a[r][k] -= f * a[c][k];
                    }
                }
            }
        }
        return log;
    }

    /** The eigenvalues of a symmetric matrix. */
    static double[] symmetricEigenvalues(RealMatrix a) {
        return new EigenDecomposition(a).getRealEigenvalues();
    }
}
