package io.hwnas.cost.table;

import io.hwnas.core.ir.Network;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.linear.SingularMatrixException;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

/**
 * A network's latency from a kernel table (nn-Meter's practice): every kernel of the network
 * ({@link KernelUnits}) timed on the device on its own, then {@code a + b * sum + c * kernels}, where
 * {@code sum} is the table's times summed over the network's kernels and {@code kernels} their count.
 * {@code c} takes out what each one-kernel timing adds besides the kernel (the runtime's per-run cost,
 * feeding the input and taking the output) and {@code a} is the network's own such cost; both and the
 * scale {@code b} are fitted by least squares on relative errors (Commons Math OLS on rows divided by
 * the measurement) to a few measured networks.
 *
 * @param intercept  a, ms per network
 * @param scale      b, per table ms
 * @param perKernel  c, ms per kernel
 * @param source     what it was fitted to
 */
public record KernelTableFit(double intercept, double scale, double perKernel, String source) {

    /** The features of a network: the table's summed time (ms) and the number of kernels. */
    public static double[] features(Lut table, Network network) {
        double sum = 0;
        int count = 0;
        for (KernelUnits.Unit u : KernelUnits.of(network)) {
            Double ms = table.entries().get(u.signature());
            if (ms == null) {
                throw new IllegalArgumentException(table.source() + ": no entry for kernel " + u.layers().get(0).name()
                        + " (" + u.signature() + "); measure it with cost validate --agent --kernel-table");
            }
            sum += ms;
            count++;
        }
        return new double[] {sum, count};
    }

    /**
     * Fits the coefficients to measured networks; with a kernel count that does not vary (or varies
     * with the sum) the count term is left out.
     *
     * @param features per network, from {@link #features}
     * @param ms       the measured latencies, positive
     * @throws IllegalArgumentException with fewer than 4 networks or a latency that is not positive
     */
    public static KernelTableFit fit(List<double[]> features, double[] ms, String source) {
        if (features.size() != ms.length || ms.length < 4) {
            throw new IllegalArgumentException("a kernel-table fit needs at least 4 measured networks, but had "
                    + ms.length);
        }
        for (double y : ms) {
            if (!(y > 0) || !Double.isFinite(y)) {
                throw new IllegalArgumentException("measured latencies must be positive, but one was " + y);
            }
        }
        try {
            double[] b = solve(features, ms, true);
            return new KernelTableFit(b[0], b[1], b[2], source);
        } catch (SingularMatrixException e) {
            double[] b = solve(features, ms, false);
            return new KernelTableFit(b[0], b[1], 0, source);
        }
    }

    private static double[] solve(List<double[]> features, double[] ms, boolean withCount) {
        int p = withCount ? 3 : 2;
        double[][] x = new double[ms.length][p];
        double[] one = new double[ms.length];
        for (int i = 0; i < ms.length; i++) {
            double[] f = features.get(i);
            x[i][0] = 1 / ms[i];
            x[i][1] = f[0] / ms[i];
            if (withCount) {
                x[i][2] = f[1] / ms[i];
            }
            one[i] = 1;
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression(1e-10);
        ols.setNoIntercept(true);
        ols.newSampleData(one, x);
        return Arrays.copyOf(ols.estimateRegressionParameters(), 3);
    }

    /** The predicted latency, ms, of a network with these features. */
    public double predict(double[] features) {
        return intercept + scale * features[0] + perKernel * features[1];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.4f ms + %.4f x table + %.4f ms x kernels (%s)", intercept, scale,
                perKernel, source);
    }
}
