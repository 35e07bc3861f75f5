package io.hwnas.cost.table;

import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.ir.Layer;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A per-layer latency lookup table: milliseconds per layer signature (kind, input shape, output
 * shape, kernel, stride, groups, batch), as {@code hwnas profile-host --lut} measures it. CSV with
 * the header {@code signature,ms}.
 *
 * @param source  where the table was read from or how it was measured
 * @param entries ms by signature
 */
public record Lut(String source, Map<String, Double> entries) {

    public Lut {
        entries = Map.copyOf(entries);
    }

    /** The signature of a layer at a batch size. */
    public static String signature(Layer l, int batch) {
        return l.kind().id() + "|" + l.input() + "|" + l.output() + "|k" + l.kernel() + "s" + l.stride() + "p"
                + l.padding() + "g" + l.groups() + "|n" + l.inputs().size() + "|b" + batch;
    }

    /**
     * Reads a LUT file.
     *
     * @throws IllegalArgumentException naming the file and line of a bad entry
     */
    public static Lut read(Path file) {
        Map<String, Double> m = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.equals("signature,ms")) {
                throw new IllegalArgumentException(file + ": the first line must be 'signature,ms'");
            }
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                int comma = line.lastIndexOf(',');
                double v;
                try {
                    v = Double.parseDouble(line.substring(comma + 1));
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    throw new IllegalArgumentException(file + ": line " + n + ": '" + line + "' is not signature,ms");
                }
                if (!(v >= 0) || !Double.isFinite(v)) {
                    throw new IllegalArgumentException(file + ": line " + n + ": ms must be >= 0, but was " + v);
                }
                m.put(line.substring(0, comma), v);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the LUT: " + e.getMessage(), e);
        }
        return new Lut(file.toString(), m);
    }

    /** Writes the LUT as CSV, atomically (a failed write leaves the previous file). */
    public void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder("signature,ms\n");
        for (Map.Entry<String, Double> e : new TreeMap<>(entries).entrySet()) {
            text.append(e.getKey()).append(',').append(e.getValue()).append('\n');
        }
        try {
            AtomicFiles.writeString(file, text);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
