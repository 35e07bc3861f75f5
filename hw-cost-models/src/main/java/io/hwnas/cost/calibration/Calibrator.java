package io.hwnas.cost.calibration;

import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.KernelPlan;
import io.hwnas.cost.device.Calibration;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.device.Quantity;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.fitting.leastsquares.MultivariateJacobianFunction;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.apache.commons.math3.stat.descriptive.rank.Percentile.EstimationType;
import org.apache.commons.math3.util.Pair;

/**
 * Fits a device's free numbers (per-class efficiencies and overheads, memory efficiency, fixed time)
 * to measured latencies: Levenberg-Marquardt on log-latency residuals over log-multipliers of the
 * profile's values, so every fitted number stays positive and no time can become negative; a weak
 * prior keeps numbers the data cannot see at the profile's values; Huber re-weighting (iteratively
 * reweighted least squares) limits the pull of outliers.
 */
public final class Calibrator {

    /**
     * Weight of the pull towards the profile's values, per log-multiplier squared. Small: 50 log-latency
     * residuals of a few percent must outweigh it, yet it fixes what the data cannot see.
     */
    private static final double PRIOR = 1e-5;
    private static final double HUBER = 1.345;
    private static final int ROUNDS = 4;
    private static final int MAX_ITERATIONS = 400;

    private Calibrator() {
    }

    /**
     * Fits the model's free numbers of {@code base} so that its latencies of {@code plans} at
     * {@code batch} match {@code measuredMs}.
     *
     * @throws IllegalArgumentException if the inputs differ in length or a measurement is not positive
     */
    public static Calibration fit(AnalyticalModel model, DeviceProfile base, List<KernelPlan> plans,
            double[] measuredMs, int batch, String source) {
        if (plans.size() != measuredMs.length) {
            throw new IllegalArgumentException(plans.size() + " networks but " + measuredMs.length + " measurements");
        }
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one measurement");
        }
        for (double y : measuredMs) {
            if (!(y > 0) || !Double.isFinite(y)) {
                throw new IllegalArgumentException("measured latencies must be positive, but one was " + y);
            }
        }
        List<String> names = model.freeParameters(base);
        int p = names.size();
        int n = measuredMs.length;
        double[] start = new double[p];
        for (int j = 0; j < p; j++) {
            start[j] = Math.max(base.number(names.get(j)), floor(names.get(j)));
        }
        double[] logY = new double[n];
        for (int i = 0; i < n; i++) {
            logY[i] = Math.log(measuredMs[i]);
        }
        double[] weights = new double[n];
        Arrays.fill(weights, 1);
        double[] theta = bestStart(model, base, names, start, plans, batch, logY);
        double scale = 0;
        for (int round = 0; round < ROUNDS; round++) {
            theta = solve(model, base, names, start, plans, batch, logY, weights, theta).point();
            double[] r = residuals(model, base, names, start, plans, batch, logY, theta);
            scale = Math.max(0.01, 1.4826 * median(abs(r)));
            for (int i = 0; i < n; i++) {
                double a = Math.abs(r[i]);
                weights[i] = a <= HUBER * scale ? 1 : HUBER * scale / a;
            }
        }
        Map<String, Quantity> fitted = new LinkedHashMap<>();
        for (int j = 0; j < p; j++) {
            fitted.put(names.get(j), new Quantity(start[j] * Math.exp(theta[j]), "calibrated on " + n
                    + " measurements of " + source + " (batch " + batch + ")"));
        }
        double[] r = residuals(model, base, names, start, plans, batch, logY, theta);
        Map<String, Double> stats = new LinkedHashMap<>();
        stats.put("samples", (double) n);
        stats.put("batch", (double) batch);
        stats.put("median_abs_log_residual", median(abs(r)));
        stats.put("robust_scale", scale);
        return new Calibration(base.name(), model.name(), fitted, stats);
    }

    /**
     * The best of a few starting points: the profile, and the profile with every class efficiency 10
     * and 100 times lower. A roofline's max() gives no gradient to the term it does not pick, so a
     * kernel class that the profile puts on the memory side could never move to the compute side
     * (and back) from one start alone.
     */
    private static double[] bestStart(AnalyticalModel model, DeviceProfile base, List<String> names, double[] start,
            List<KernelPlan> plans, int batch, double[] logY) {
        int p = names.size();
        double[] ones = new double[logY.length];
        Arrays.fill(ones, 1);
        double[] best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (double shift : new double[] {0, Math.log(10), Math.log(100)}) {
            double[] t = new double[p];
            for (int j = 0; j < p; j++) {
                String name = names.get(j);
                t[j] = name.startsWith("eff_") && !name.equals("eff_memory") ? -shift : 0;
            }
            Fit fit = solve(model, base, names, start, plans, batch, logY, ones, t);
            if (fit.cost() < bestCost) {
                bestCost = fit.cost();
                best = fit.point();
            }
        }
        return best != null ? best : new double[p];
    }

    /** A fitted point and its cost (half the sum of squared weighted residuals). */
    private record Fit(double[] point, double cost) {
    }

    /**
     * Levenberg-Marquardt from {@code theta}; if it does not converge within its iteration budget,
     * the best point it evaluated (a max() kink can make it crawl).
     */
    private static Fit solve(AnalyticalModel model, DeviceProfile base, List<String> names, double[] start,
            List<KernelPlan> plans, int batch, double[] logY, double[] weights, double[] theta) {
        double[] w = weights.clone();
        double[][] best = {theta.clone()};
        double[] bestCost = {Double.POSITIVE_INFINITY};
        MultivariateJacobianFunction f = point -> {
            Pair<RealVector, org.apache.commons.math3.linear.RealMatrix> v = evaluate(model, base, names, start, plans,
                    batch, logY, w, point.toArray());
            double c = 0.5 * v.getFirst().dotProduct(v.getFirst());
            if (c < bestCost[0]) {
                bestCost[0] = c;
                best[0] = point.toArray();
            }
            return v;
        };
        try {
            LeastSquaresOptimizer.Optimum o = new LevenbergMarquardtOptimizer().withCostRelativeTolerance(1e-8)
                    .withParameterRelativeTolerance(1e-6).optimize(new LeastSquaresBuilder().start(theta).model(f)
                            .target(new double[logY.length + theta.length]).maxEvaluations(MAX_ITERATIONS * 2)
                            .maxIterations(MAX_ITERATIONS).lazyEvaluation(false).build());
            return new Fit(o.getPoint().toArray(), 0.5 * o.getCost() * o.getCost());
        } catch (MathIllegalStateException e) {
            return new Fit(best[0], bestCost[0]);
        }
    }

    /** A positive floor so that a number that is 0 in the profile can still be fitted. */
    private static double floor(String name) {
        if (name.startsWith("overhead_us")) {
            return 0.1;
        }
        if (name.equals("fixed_ms")) {
            return 0.001;
        }
        return 1e-6;
    }

    static DeviceProfile profile(DeviceProfile base, List<String> names, double[] start, double[] theta) {
        Map<String, Quantity> m = new LinkedHashMap<>();
        for (int j = 0; j < names.size(); j++) {
            m.put(names.get(j), new Quantity(start[j] * Math.exp(theta[j]), "fit"));
        }
        return base.withNumbers(m, base.origin());
    }

    private static double[] predictLog(AnalyticalModel model, DeviceProfile base, List<String> names, double[] start,
            List<KernelPlan> plans, int batch, double[] theta) {
        DeviceProfile d = profile(base, names, start, theta);
        double[] out = new double[plans.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.log(model.latencyMs(plans.get(i), d, batch));
        }
        return out;
    }

    private static double[] residuals(AnalyticalModel model, DeviceProfile base, List<String> names, double[] start,
            List<KernelPlan> plans, int batch, double[] logY, double[] theta) {
        double[] pred = predictLog(model, base, names, start, plans, batch, theta);
        for (int i = 0; i < pred.length; i++) {
            pred[i] -= logY[i];
        }
        return pred;
    }

    private static Pair<RealVector, org.apache.commons.math3.linear.RealMatrix> evaluate(AnalyticalModel model,
            DeviceProfile base, List<String> names, double[] start, List<KernelPlan> plans, int batch, double[] logY,
            double[] w, double[] theta) {
        int n = logY.length;
        int p = theta.length;
        double prior = Math.sqrt(PRIOR);
        double[] value = new double[n + p];
        double[] r0 = residuals(model, base, names, start, plans, batch, logY, theta);
        for (int i = 0; i < n; i++) {
            value[i] = w[i] * r0[i];
        }
        for (int j = 0; j < p; j++) {
            value[n + j] = prior * theta[j];
        }
        double[][] jac = new double[n + p][p];
        double h = 1e-5;
        for (int j = 0; j < p; j++) {
            double[] t = theta.clone();
            t[j] += h;
            double[] r1 = residuals(model, base, names, start, plans, batch, logY, t);
            for (int i = 0; i < n; i++) {
                jac[i][j] = w[i] * (r1[i] - r0[i]) / h;
            }
            jac[n + j][j] = prior;
        }
        return new Pair<>(new ArrayRealVector(value, false), new Array2DRowRealMatrix(jac, false));
    }

    private static double[] abs(double[] r) {
        double[] a = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            a[i] = Math.abs(r[i]);
        }
        return a;
    }

    /** The median, the mean of the two middle values for an even count (Commons Math's R_2 estimation). */
    private static double median(double[] v) {
        return new Median().withEstimationType(EstimationType.R_2).evaluate(v);
    }
}
