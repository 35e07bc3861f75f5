package io.hwnas.core.space.nb201;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The official NAS-Bench-201 index: the benchmark numbers cells in the order it trained them, not
 * in any order derivable from the string, so the map is read from the shipped benchmark table.
 */
final class Nb201Index {

    static final int SIZE = 15625;
    static final String RESOURCE = "/benchmarks/nb201_accuracy.csv.gz";

    private static final class Holder {
        static final String[] BY_INDEX = new String[SIZE];
        static final Map<String, Integer> BY_STRING = new HashMap<>(SIZE * 2);

        static {
            try (InputStream raw = Nb201Index.class.getResourceAsStream(RESOURCE)) {
                if (raw == null) {
                    throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path");
                }
                BufferedReader r = new BufferedReader(
                        new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
                String header = r.readLine();
                if (header == null || !header.startsWith("arch_index,arch_str")) {
                    throw new IllegalStateException(RESOURCE + " must start with arch_index,arch_str");
                }
                String line;
                while ((line = r.readLine()) != null) {
                    int c1 = line.indexOf(',');
                    int c2 = line.indexOf(',', c1 + 1);
                    int index = Integer.parseInt(line.substring(0, c1));
                    String arch = line.substring(c1 + 1, c2);
                    BY_INDEX[index] = arch;
                    BY_STRING.put(arch, index);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
        }
    }

    private Nb201Index() {
    }

    static String archString(int index) {
        return Holder.BY_INDEX[index];
    }

    static int index(String arch) {
        Integer i = Holder.BY_STRING.get(arch);
        if (i == null) {
            throw new IllegalArgumentException("no NAS-Bench-201 index for '" + arch + "'");
        }
        return i;
    }
}
