package io.hwnas.cost.table;

import io.hwnas.core.table.BenchmarkTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One column of measured values by architecture string, from a user's CSV (plain or gzipped) or a
 * shipped benchmark table named by its file name (e.g. {@code hw_nas_bench_nb201.csv.gz}).
 *
 * @param source the file or shipped table
 * @param column the value column
 * @param archs  architecture strings, one per row
 * @param values the measured values, all finite and positive
 */
public record Measurements(String source, String column, List<String> archs, double[] values) {

    private static final Pattern BATCH_SUFFIX = Pattern.compile(".*_(\\d+)$");

    public Measurements {
        Objects.requireNonNull(source, "source");
        archs = List.copyOf(archs);
        if (archs.size() != values.length) {
            throw new IllegalArgumentException(archs.size() + " architectures but " + values.length + " values");
        }
    }

    /** The table at a path, or the shipped table of that name when no such file exists. */
    public static BenchmarkTable table(String fileOrShipped) {
        Path p = Path.of(fileOrShipped);
        if (Files.exists(p)) {
            return BenchmarkTable.read(p);
        }
        String name = p.getFileName().toString();
        for (String candidate : List.of(name, name + ".gz")) {
            try {
                return BenchmarkTable.shipped(candidate);
            } catch (IllegalArgumentException e) {
                // try the next spelling
            }
        }
        throw new IllegalArgumentException(fileOrShipped + ": no such file, and no shipped table of that name; shipped "
                + "tables are [" + BenchmarkTable.HW_NAS_BENCH_NB201 + ", " + BenchmarkTable.HELP_NB201 + ", "
                + BenchmarkTable.HELP_FBNET + ", " + BenchmarkTable.NB201_ACCURACY + "]");
    }

    /**
     * Reads a column: every cell must be a positive number.
     *
     * @throws IllegalArgumentException naming the file, the column, and the row and text of a bad value
     */
    public static Measurements read(String fileOrShipped, String column, String archColumn) {
        BenchmarkTable t = table(fileOrShipped);
        int c = t.column(column);
        int a = t.column(archColumn);
        List<String> archs = new ArrayList<>(t.size());
        double[] values = new double[t.size()];
        if (t.size() == 0) {
            throw new IllegalArgumentException(t.source() + ": no rows");
        }
        for (int i = 0; i < t.size(); i++) {
            String text = t.text(i, c);
            double v;
            try {
                v = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(t.source() + ": row " + (i + 2) + ", column '" + column + "': '"
                        + text + "' is not a number");
            }
            if (!(v > 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException(t.source() + ": row " + (i + 2) + ", column '" + column + "': "
                        + text + " is not a positive latency");
            }
            values[i] = v;
            archs.add(t.text(i, a));
        }
        return new Measurements(t.source(), column, archs, values);
    }

    /** The batch size a column name ends in ({@code titan_rtx_256} -> 256; a power of two), or 1. */
    public static int batchOf(String column) {
        Matcher m = BATCH_SUFFIX.matcher(column);
        if (m.matches() && m.group(1).length() <= 5) {
            int b = Integer.parseInt(m.group(1));
            if (b > 0 && b <= 16384 && Integer.bitCount(b) == 1) {
                return b; // batch sizes are powers of two; gold_6226 is a model number
            }
        }
        return 1;
    }

    public int size() {
        return values.length;
    }
}
