package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The standalone side of a rank-fidelity comparison: what counts as a collapsed standalone training, and the
 * standalone accuracies of an earlier {@code bench supernet-fidelity} CSV, reused to score another checkpoint on
 * the same subnets without training them again (standalone training does not depend on the supernet).
 */
final class FidelityReference {

    /** A subnet's standalone result in a reference CSV. */
    record Standalone(double top1, double trainSeconds) {
    }

    private FidelityReference() {
    }

    /**
     * Whether a standalone top-1 (percent, on {@code images} held-out images of {@code classes} balanced classes)
     * is no better than guessing: within three standard errors of {@code 100 / classes}. Such a training collapsed
     * (say, diverged to a constant output) and says nothing about how well its architecture trains.
     */
    static boolean collapsed(double top1, int classes, int images) {
        double p = 1.0 / classes;
        return !(top1 > 100 * (p + 3 * Math.sqrt(p * (1 - p) / Math.max(1, images))));
    }

    /**
     * Reads the {@code arch} and {@code standalone_top1} (and {@code train_seconds}, when there) of every row of a
     * {@code bench supernet-fidelity} CSV.
     *
     * @throws UsageException naming the file, and the row, column and value that are wrong
     */
    static Map<String, Standalone> read(Path csv) {
        if (!Files.isRegularFile(csv)) {
            throw new UsageException(csv + ": no such file, or not a file (--reference takes the CSV of an earlier "
                    + "bench supernet-fidelity run)");
        }
        CsvMapper mapper = new CsvMapper();
        Map<String, Standalone> out = new LinkedHashMap<>();
        try (MappingIterator<Map<String, String>> it = mapper.readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(csv.toFile())) {
            int row = 1;
            while (it.hasNext()) {
                row++;
                Map<String, String> r = it.next();
                String arch = r.get("arch");
                if (arch == null || arch.isBlank()) {
                    throw new UsageException(csv + ": row " + row + " has no arch; expected the columns arch and "
                            + "standalone_top1 of a bench supernet-fidelity CSV");
                }
                double top1 = number(csv, row, "standalone_top1", r.get("standalone_top1"), true);
                double seconds = number(csv, row, "train_seconds", r.get("train_seconds"), false);
                if (top1 < 0 || top1 > 100) {
                    throw new UsageException(csv + ": row " + row + ": standalone_top1 = " + top1 + " is not "
                            + "allowed; expected a percentage in [0, 100]");
                }
                out.put(arch, new Standalone(top1, seconds));
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof UsageException u) {
                throw u;
            }
            throw new UsageException(csv + ": not a bench supernet-fidelity CSV (" + e.getMessage() + ")", e);
        }
        return out;
    }

    private static double number(Path csv, int row, String column, String value, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw new UsageException(csv + ": row " + row + " has no " + column + "; expected a number");
            }
            return Double.NaN;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new UsageException(csv + ": row " + row + ": " + column + " = '" + value + "' is not allowed; "
                    + "expected a number");
        }
    }
}
