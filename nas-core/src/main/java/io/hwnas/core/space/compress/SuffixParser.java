package io.hwnas.core.space.compress;

import io.hwnas.core.space.ArchitectureFormatException;
import java.util.List;

/** Reads the {@code #q=w/a,...#p=r,...} suffix of a compressed architecture string into a vector. */
final class SuffixParser {

    private final String space;
    private final String text;
    private final int start;
    private final CompressionOptions opts;

    SuffixParser(String space, String text, int start, CompressionOptions opts) {
        this.space = space;
        this.text = text;
        this.start = start;
        this.opts = opts;
    }

    void read(int[] v, int baseLength, int qSlots, int q, int p) {
        String suffix = text.substring(start);
        int pAt = suffix.indexOf("#p=");
        if (pAt < 0) {
            throw fail(suffix.length(), "expected #p= after the bit widths");
        }
        String[] bits = tokens(suffix.substring(3, pAt));
        String[] ratios = tokens(suffix.substring(pAt + 3));
        if (bits.length != q) {
            throw fail(3, "expected " + q + " wbits/abits pairs (one per layer with MACs), but found " + bits.length);
        }
        if (ratios.length != p) {
            throw fail(pAt + 3, "expected " + p + " pruning percentages (one per channel group), but found "
                    + ratios.length);
        }
        for (int j = 0; j < q; j++) {
            String[] wa = bits[j].split("/", -1);
            if (wa.length != 2) {
                throw fail(3, "'" + bits[j] + "' is not wbits/abits");
            }
            v[baseLength + 2 * j] = index(opts.weightBits(), wa[0], "weight bits");
            v[baseLength + 2 * j + 1] = index(opts.activationBits(), wa[1], "activation bits");
        }
        for (int k = 0; k < p; k++) {
            v[baseLength + 2 * qSlots + k] = index(opts.prune(), ratios[k], "pruning percent");
        }
    }

    private static String[] tokens(String s) {
        return s.isEmpty() ? new String[0] : s.split(",", -1);
    }

    private int index(List<Integer> allowed, String token, String what) {
        try {
            int i = allowed.indexOf(Integer.parseInt(token.trim()));
            if (i >= 0) {
                return i;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw fail(0, what + " '" + token + "' is not one of " + allowed);
    }

    private ArchitectureFormatException fail(int offset, String problem) {
        return new ArchitectureFormatException(space, text, start + offset, problem);
    }
}
