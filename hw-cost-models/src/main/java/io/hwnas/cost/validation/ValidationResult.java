package io.hwnas.cost.validation;

import io.hwnas.cost.device.Calibration;

/**
 * Held-out accuracy of a cost model on one measurement column: rank correlations, errors, and the
 * FLOPs baseline on the same rows.
 *
 * @param device        device profile name
 * @param model         cost model name
 * @param column        the measured column
 * @param batch         batch size of the column
 * @param seed          the shuffle seed
 * @param nCalibrate    rows used to calibrate
 * @param nTest         held-out rows
 * @param spearman      Spearman rho of predictions vs measurements
 * @param kendall       Kendall tau-b
 * @param mape          mean absolute percentage error, percent
 * @param within10      share of predictions within 10 percent
 * @param flopsSpearman Spearman rho of FLOPs vs measurements
 * @param flopsKendall  Kendall tau-b of FLOPs vs measurements
 * @param calibration   the fitted numbers, or null for {@code --calibrate 0}
 */
public record ValidationResult(String device, String model, String column, int batch, long seed, int nCalibrate,
        int nTest, double spearman, double kendall, double mape, double within10, double flopsSpearman,
        double flopsKendall, Calibration calibration) {
}
