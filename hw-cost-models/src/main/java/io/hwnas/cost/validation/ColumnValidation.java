package io.hwnas.cost.validation;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A cost model's held-out accuracy on one measurement column over the runs of consecutive shuffle
 * seeds: each figure is the mean over the runs.
 *
 * @param measurements where the measurements were read from
 * @param runs         one result per seed, the first seed's first
 */
public record ColumnValidation(String measurements, List<ValidationResult> runs) {

    public ColumnValidation {
        runs = List.copyOf(runs);
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a column validation needs at least one run");
        }
    }

    /** The first seed's result (device, model, column, batch and row counts are the same in every run). */
    public ValidationResult first() {
        return runs.get(0);
    }

    /** Mean Spearman rho of predictions vs measurements. */
    public double spearman() {
        return mean(ValidationResult::spearman);
    }

    /** Mean Kendall tau-b of predictions vs measurements. */
    public double kendall() {
        return mean(ValidationResult::kendall);
    }

    /** Mean absolute percentage error, percent, averaged over the runs. */
    public double mape() {
        return mean(ValidationResult::mape);
    }

    /** Mean share of predictions within 10 percent. */
    public double within10() {
        return mean(ValidationResult::within10);
    }

    /** Mean Spearman rho of FLOPs vs measurements. */
    public double flopsSpearman() {
        return mean(ValidationResult::flopsSpearman);
    }

    /** Mean Kendall tau-b of FLOPs vs measurements. */
    public double flopsKendall() {
        return mean(ValidationResult::flopsKendall);
    }

    /** True when the model ranks the held-out rows better than FLOPs (by Spearman rho). */
    public boolean betterThanFlops() {
        return spearman() > flopsSpearman();
    }

    private double mean(ToDoubleFunction<ValidationResult> f) {
        return runs.stream().mapToDouble(f).average().orElse(0);
    }
}
