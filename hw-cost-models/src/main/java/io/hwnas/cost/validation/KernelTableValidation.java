package io.hwnas.cost.validation;

import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.table.KernelTableFit;
import io.hwnas.cost.table.Lut;
import io.hwnas.cost.table.Measurements;
import java.util.ArrayList;
import java.util.List;

/**
 * The validation protocol of {@link Validation} (the same seeded shuffle, the first N rows calibrate,
 * the rest are scored) for the kernel-table predictor {@link KernelTableFit}.
 */
public final class KernelTableValidation {

    /** The model name results carry. */
    public static final String MODEL = "kernel-table";

    private KernelTableValidation() {
    }

    /**
     * Fits on the first {@code nCalibrate} shuffled rows and scores the rest.
     *
     * @param device the device name results carry
     * @throws IllegalArgumentException if the table lacks a kernel, or too few rows are left
     */
    public static Result run(SearchSpace space, Measurements measurements, Lut table, String device, int nCalibrate,
            long seed) {
        int n = measurements.size();
        if (nCalibrate < 4 || nCalibrate > n - 2) {
            throw new IllegalArgumentException("--calibrate must be in 4.." + (n - 2) + " for a kernel table and " + n
                    + " rows, but was " + nCalibrate);
        }
        double[][] features = new double[n][];
        double[] flops = new double[n];
        for (int i = 0; i < n; i++) {
            Network net = space.network(space.parse(measurements.archs().get(i)));
            features[i] = KernelTableFit.features(table, net);
            flops[i] = net.macs();
        }
        int[] order = Validation.shuffle(n, seed);
        double[] y = measurements.values();
        List<double[]> cf = new ArrayList<>();
        double[] cy = new double[nCalibrate];
        for (int i = 0; i < nCalibrate; i++) {
            cf.add(features[order[i]]);
            cy[i] = y[order[i]];
        }
        KernelTableFit fit = KernelTableFit.fit(cf, cy, nCalibrate + " networks of " + measurements.source());
        ValidationResult v = Validation.score(device, MODEL, measurements.column(), 1, seed, nCalibrate, order,
                r -> fit.predict(features[r]), y, flops, null);
        return new Result(v, fit);
    }

    /** The held-out scores and the fitted coefficients. */
    public record Result(ValidationResult validation, KernelTableFit fit) {
    }
}
