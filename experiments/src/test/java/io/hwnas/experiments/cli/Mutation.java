package io.hwnas.experiments.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One seeded edit of a file's bytes, as a careless or hostile user makes them: a flipped bit, a deleted or
 * duplicated line, a key renamed to another key of the file, two values swapped, the file cut short.
 * Keys and values are those of YAML and JSON ({@code key: value}), else of a CSV (header cells, data cells).
 * Text edits work on the bytes as ISO-8859-1, so bytes that are not UTF-8 survive them.
 *
 * @param op what to do
 * @param a  the first position or choice (taken modulo what the file has)
 * @param b  the second
 */
record Mutation(Op op, int a, int b) {

    enum Op { FLIP, DELETE_LINE, DUPLICATE_LINE, RENAME_KEY, SWAP_VALUES, TRUNCATE }

    private static final Pattern KEY = Pattern.compile("\"?([A-Za-z_][A-Za-z0-9_.-]*)\"?\\s*:(?=\\s|$|\")",
            Pattern.MULTILINE);
    private static final Pattern VALUE = Pattern.compile(":[ \\t]*(\"[^\"\\n]*\"|[^,\\s{}\\[\\]#\"]+)");
    private static final Pattern CELL = Pattern.compile("(?<=^|,)[^,\\n]+", Pattern.MULTILINE);

    /** The bytes with all of {@code mutations} applied in order. */
    static byte[] applyAll(byte[] bytes, List<Mutation> mutations) {
        byte[] out = bytes;
        for (Mutation m : mutations) {
            out = m.apply(out);
        }
        return out;
    }

    byte[] apply(byte[] bytes) {
        if (bytes.length == 0) {
            return bytes;
        }
        return switch (op) {
            case FLIP -> flip(bytes);
            case TRUNCATE -> Arrays.copyOf(bytes, a % bytes.length);
            default -> text(editText(new String(bytes, StandardCharsets.ISO_8859_1)));
        };
    }

    private byte[] flip(byte[] bytes) {
        byte[] out = bytes.clone();
        out[a % out.length] ^= (byte) (1 << (b % 8));
        return out;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private String editText(String s) {
        List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
        switch (op) {
            case DELETE_LINE -> lines.remove(a % lines.size());
            case DUPLICATE_LINE -> {
                int i = a % lines.size();
                lines.add(i, lines.get(i));
            }
            case RENAME_KEY -> {
                return renameKey(s);
            }
            case SWAP_VALUES -> {
                return swapValues(s);
            }
            default -> throw new IllegalStateException(op.name());
        }
        return String.join("\n", lines);
    }

    /** Key {@code a} (a YAML/JSON key, else a CSV header cell) takes the name of key {@code b}, or gets a suffix. */
    private String renameKey(String s) {
        List<int[]> keys = spans(KEY, s, 1);
        if (keys.isEmpty()) {
            int header = s.indexOf('\n') < 0 ? s.length() : s.indexOf('\n');
            keys = spans(CELL, s.substring(0, header), 0);
        }
        if (keys.isEmpty()) {
            return s;
        }
        int[] from = keys.get(a % keys.size());
        int[] to = keys.get(b % keys.size());
        String name = s.substring(to[0], to[1]);
        if (name.equals(s.substring(from[0], from[1]))) {
            name = name + "_";
        }
        return s.substring(0, from[0]) + name + s.substring(from[1]);
    }

    /** Values {@code a} and {@code b} (YAML/JSON scalars, else CSV data cells) change places. */
    private String swapValues(String s) {
        List<int[]> values = spans(VALUE, s, 1);
        if (values.size() < 2) {
            int header = s.indexOf('\n') < 0 ? s.length() : s.indexOf('\n') + 1;
            values = new ArrayList<>();
            for (int[] c : spans(CELL, s.substring(header), 0)) {
                values.add(new int[] {c[0] + header, c[1] + header});
            }
        }
        if (values.size() < 2) {
            return s;
        }
        int[] x = values.get(a % values.size());
        int[] y = values.get(b % values.size());
        if (x == y) {
            return s;
        }
        int[] first = x[0] < y[0] ? x : y;
        int[] second = first == x ? y : x;
        return s.substring(0, first[0]) + s.substring(second[0], second[1]) + s.substring(first[1], second[0])
                + s.substring(first[0], first[1]) + s.substring(second[1]);
    }

    private static List<int[]> spans(Pattern p, String s, int group) {
        List<int[]> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            out.add(new int[] {m.start(group), m.end(group)});
        }
        return out;
    }
}
