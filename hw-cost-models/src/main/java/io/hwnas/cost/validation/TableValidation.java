package io.hwnas.cost.validation;

import java.util.List;

/**
 * A cost model's held-out accuracy on several measurement columns of a table, with the summary
 * over the columns.
 *
 * @param columns one validation per column, in the table's order
 */
public record TableValidation(List<ColumnValidation> columns) {

    public TableValidation {
        columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a table validation needs at least one column");
        }
    }

    /** The mean over the columns of their Spearman rho. */
    public double meanSpearman() {
        double sum = 0;
        for (ColumnValidation c : columns) {
            sum += c.spearman();
        }
        return sum / columns.size();
    }

    /** The lowest Spearman rho of a column. */
    public double minSpearman() {
        double min = Double.POSITIVE_INFINITY;
        for (ColumnValidation c : columns) {
            min = Math.min(min, c.spearman());
        }
        return min;
    }

    /** The number of columns on which the model ranks better than FLOPs. */
    public int betterThanFlops() {
        int better = 0;
        for (ColumnValidation c : columns) {
            better += c.betterThanFlops() ? 1 : 0;
        }
        return better;
    }
}
