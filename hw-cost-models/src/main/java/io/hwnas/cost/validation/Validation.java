package io.hwnas.cost.validation;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.GraphRewrites;
import io.hwnas.cost.KernelPlan;
import io.hwnas.cost.calibration.Calibrator;
import io.hwnas.cost.device.Calibration;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.table.Measurements;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;

/**
 * The validation protocol of {@code hwnas cost validate}: a seeded shuffle of the measurements, the
 * first N rows calibrate the model, the rest are held out and scored against the model and FLOPs.
 */
public final class Validation {

    private final SearchSpace space;
    private final Measurements measurements;
    private final KernelPlan[] plans;
    private final double[] flops;
    private final GraphRewrites rewrites;

    /**
     * Compiles every measured architecture once for a device runtime's fusion and folding.
     *
     * @throws IllegalArgumentException naming the row of an architecture the space cannot parse
     */
    public Validation(SearchSpace space, Measurements measurements, GraphRewrites rewrites) {
        this.space = space;
        this.measurements = measurements;
        this.rewrites = rewrites;
        int n = measurements.size();
        this.plans = new KernelPlan[n];
        this.flops = new double[n];
        for (int i = 0; i < n; i++) {
            Architecture a;
            try {
                a = space.parse(measurements.archs().get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(measurements.source() + ": row " + (i + 2) + ": " + e.getMessage(), e);
            }
            Network net = space.network(a);
            plans[i] = KernelPlan.compact(net, rewrites);
            flops[i] = net.macs();
        }
    }

    /** Whether these plans suit a device (same fusion and folding). */
    public boolean suits(DeviceProfile device) {
        return GraphRewrites.of(device).equals(rewrites);
    }

    public Measurements measurements() {
        return measurements;
    }

    /**
     * Calibrates on the first {@code nCalibrate} shuffled rows and scores the rest.
     *
     * @throws IllegalArgumentException if the model is not analytical, or too few rows are left
     */
    public ValidationResult run(CostModel model, DeviceProfile device, int batch, int nCalibrate, long seed) {
        if (!(model instanceof AnalyticalModel am)) {
            throw new IllegalArgumentException("cost model '" + model.name() + "' cannot be validated by calibration; "
                    + "use cpu, gpu or npu");
        }
        int n = measurements.size();
        if (nCalibrate < 0 || nCalibrate > n - 2) {
            throw new IllegalArgumentException("--calibrate must be in 0.." + (n - 2) + " for " + n + " rows, but was "
                    + nCalibrate);
        }
        int[] order = shuffle(n, seed);
        double[] y = measurements.values();
        Calibration cal = null;
        DeviceProfile d = device;
        if (nCalibrate > 0) {
            List<KernelPlan> cp = new ArrayList<>(nCalibrate);
            double[] cy = new double[nCalibrate];
            for (int i = 0; i < nCalibrate; i++) {
                cp.add(plans[order[i]]);
                cy[i] = y[order[i]];
            }
            cal = Calibrator.fit(am, device, cp, cy, batch, measurements.source() + ":" + measurements.column());
            d = device.withCalibration(cal);
        }
        DeviceProfile calibrated = d;
        return score(device.name(), model.name(), measurements.column(), batch, seed, nCalibrate, order,
                r -> am.latencyMs(plans[r], calibrated, batch), y, flops, cal);
    }

    /** Scores the predictions of the held-out rows (those after the first {@code nCalibrate} of {@code order}). */
    static ValidationResult score(String device, String model, String column, int batch, long seed, int nCalibrate,
            int[] order, IntToDoubleFunction predict, double[] y, double[] flops, Calibration cal) {
        int m = order.length - nCalibrate;
        double[] pred = new double[m];
        double[] meas = new double[m];
        double[] fl = new double[m];
        for (int i = 0; i < m; i++) {
            int r = order[nCalibrate + i];
            pred[i] = predict.applyAsDouble(r);
            meas[i] = y[r];
            fl[i] = flops[r];
        }
        return new ValidationResult(device, model, column, batch, seed, nCalibrate, m, Agreement.spearman(pred, meas),
                Agreement.kendall(pred, meas), Agreement.mape(pred, meas), Agreement.within(pred, meas, 0.10),
                Agreement.spearman(fl, meas), Agreement.kendall(fl, meas), cal);
    }

    /** A seeded Fisher-Yates permutation of 0..n-1. */
    static int[] shuffle(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private Validation(Validation base, Measurements other) {
        this.space = base.space;
        this.measurements = other;
        this.plans = base.plans;
        this.flops = base.flops;
        this.rewrites = base.rewrites;
    }

    /**
     * The same compiled networks with another column of the same rows.
     *
     * @throws IllegalArgumentException if the rows' architectures differ
     */
    public Validation withMeasurements(Measurements other) {
        if (!other.archs().equals(measurements.archs())) {
            throw new IllegalArgumentException("the measurements list other architectures");
        }
        return new Validation(this, other);
    }

    public SearchSpace space() {
        return space;
    }
}
