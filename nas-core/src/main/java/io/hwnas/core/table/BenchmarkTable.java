package io.hwnas.core.table;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.BufferedReader;
import java.io.Reader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * A CSV table of measurements keyed by architecture string: the shipped benchmark tables
 * (resources under {@code /benchmarks/}) or a user's file, plain or gzipped. Values are read as
 * doubles on demand; an empty cell is missing.
 */
public final class BenchmarkTable {

    /** The shipped tables, by file name. */
    public static final String NB201_ACCURACY = "nb201_accuracy.csv.gz";
    public static final String HW_NAS_BENCH_NB201 = "hw_nas_bench_nb201.csv.gz";
    public static final String HELP_NB201 = "help_nb201_latency.csv.gz";
    public static final String HELP_FBNET = "help_fbnet_latency.csv.gz";
    public static final String NASLIB_ZEROCOST = "nb201_zerocost_naslib_subset.csv.gz";

    private static final Map<String, BenchmarkTable> SHIPPED = new ConcurrentHashMap<>();

    private final String source;
    private final List<String> header;
    private final List<String[]> rows;

    private BenchmarkTable(String source, List<String> header, List<String[]> rows) {
        this.source = source;
        this.header = List.copyOf(header);
        this.rows = Collections.unmodifiableList(rows);
    }

    /** A table shipped in {@code /benchmarks/} (cached). */
    public static BenchmarkTable shipped(String fileName) {
        return SHIPPED.computeIfAbsent(fileName, f -> {
            String resource = "/benchmarks/" + f;
            try (InputStream in = BenchmarkTable.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no shipped benchmark table " + f);
                }
                return read(resource, in, true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        });
    }

    /**
     * A user's CSV file ({@code .gz} is decompressed).
     *
     * @throws IllegalArgumentException naming the file if it is missing, empty or not CSV
     */
    public static BenchmarkTable read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(file.toString(), in, file.getFileName().toString().endsWith(".gz"));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static final CsvMapper CSV = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);

    /**
     * Reads RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks) with Jackson's CSV
     * module: a header line, then rows of the header's width; blank lines are skipped.
     */
    private static BenchmarkTable read(String source, InputStream raw, boolean gzip) throws IOException {
        InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
        Reader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        List<String> header = null;
        List<String[]> rows = new ArrayList<>();
        try (MappingIterator<String[]> it = CSV.readerFor(String[].class).readValues(r)) {
            while (it.hasNextValue()) {
                long line = it.getCurrentLocation().getLineNr();
                String[] f = it.nextValue();
                if (f.length == 0 || f.length == 1 && f[0].isEmpty()) {
                    continue;
                }
                if (header == null) {
                    header = List.of(f);
                } else if (f.length != header.size()) {
                    throw new IllegalArgumentException(source + ": line " + line + " has " + f.length
                            + " fields, but the header has " + header.size());
                } else {
                    rows.add(f);
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": line " + e.getLocation().getLineNr() + " is not CSV: "
                    + e.getOriginalMessage());
        } catch (RuntimeJsonMappingException e) {
            throw new IllegalArgumentException(source + ": not CSV: " + e.getMessage());
        }
        if (header == null) {
            throw new IllegalArgumentException(source + ": empty file; expected a CSV header line");
        }
        return new BenchmarkTable(source, header, rows);
    }

    public String source() {
        return source;
    }

    public List<String> columns() {
        return header;
    }

    public int size() {
        return rows.size();
    }

    /**
     * The index of a column.
     *
     * @throws IllegalArgumentException naming the table, the column and the columns it has
     */
    public int column(String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(source + ": no column '" + name + "'; columns are " + header);
        }
        return i;
    }

    public String text(int row, int column) {
        return rows.get(row)[column];
    }

    /**
     * A numeric cell; NaN when empty.
     *
     * @throws IllegalArgumentException naming the table, row, column and text if it is not a number
     */
    public double number(int row, int column) {
        String t = rows.get(row)[column];
        if (t.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": row " + (row + 2) + ", column '" + header.get(column)
                    + "': '" + t + "' is not a number");
        }
    }

    /** A map from the key column's text to the row index (the first row wins on duplicates). */
    public Map<String, Integer> index(String keyColumn) {
        int k = column(keyColumn);
        Map<String, Integer> m = new HashMap<>(rows.size() * 2);
        for (int i = 0; i < rows.size(); i++) {
            m.putIfAbsent(rows.get(i)[k], i);
        }
        return m;
    }

    /** A whole numeric column (NaN for empty cells). */
    public double[] numbers(String columnName) {
        int c = column(columnName);
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(i, c);
        }
        return out;
    }
}
