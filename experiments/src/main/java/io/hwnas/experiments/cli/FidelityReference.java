package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.hwnas.core.io.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standalone side of a rank-fidelity comparison: what counts as a collapsed standalone training, and the
 * standalone accuracies of an earlier {@code bench supernet-fidelity} CSV, reused to score another checkpoint on
 * the same subnets without training them again (standalone training does not depend on the supernet). The bench
 * writes its CSV here too, so that both sides keep to one schema.
 */
final class FidelityReference {

    static final String ARCH = "arch";
    static final String STANDALONE_TOP1 = "standalone_top1";
    static final String TRAIN_SECONDS = "train_seconds";

    /** The columns of a {@code bench supernet-fidelity} CSV, in order, with a header line. */
    static final CsvSchema SCHEMA = CsvSchema.builder().addColumn(ARCH).addNumberColumn("latency_ms")
            .addNumberColumn("macs").addNumberColumn("supernet_top1").addNumberColumn(STANDALONE_TOP1)
            .addNumberColumn(TRAIN_SECONDS).addBooleanColumn("standalone_collapsed").build().withHeader();

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

    /** Writes the compared subnets so far to {@code out} (atomically: a kill leaves the previous rows). */
    static void write(Path out, List<BenchSupernetFidelityCommand.Row> rows) {
        StringWriter text = new StringWriter();
        try (SequenceWriter w = new CsvMapper().writer(SCHEMA).writeValues(text)) {
            for (BenchSupernetFidelityCommand.Row r : rows) {
                w.write(List.of(r.arch().canonical(), r.latencyMs(), r.macs(), r.supernetTop1(), r.standaloneTop1(),
                        r.trainSeconds(), r.collapsed()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(out, text.toString());
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
                String arch = r.get(ARCH);
                if (arch == null || arch.isBlank()) {
                    throw new UsageException(csv + ": row " + row + " has no arch; expected the columns arch and "
                            + "standalone_top1 of a bench supernet-fidelity CSV");
                }
                double top1 = number(csv, row, STANDALONE_TOP1, r.get(STANDALONE_TOP1), true);
                double seconds = number(csv, row, TRAIN_SECONDS, r.get(TRAIN_SECONDS), false);
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
