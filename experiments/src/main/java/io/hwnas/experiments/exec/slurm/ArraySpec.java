package io.hwnas.experiments.exec.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Slurm array index lists such as {@code 0-3,5,7-9} (a {@code %N} throttle suffix is ignored). */
final class ArraySpec {

    private ArraySpec() {
    }

    static List<Integer> parse(String spec) {
        String s = spec.strip();
        int pct = s.indexOf('%');
        if (pct >= 0) {
            s = s.substring(0, pct);
        }
        TreeSet<Integer> out = new TreeSet<>();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty array index list");
        }
        for (String part : s.split(",")) {
            String p = part;
            int step = 1;
            int colon = p.indexOf(':');
            if (colon >= 0) {
                step = Integer.parseInt(p.substring(colon + 1));
                p = p.substring(0, colon);
            }
            int dash = p.indexOf('-');
            try {
                if (dash < 0) {
                    out.add(Integer.parseInt(p));
                } else {
                    int from = Integer.parseInt(p.substring(0, dash));
                    int to = Integer.parseInt(p.substring(dash + 1));
                    for (int i = from; i <= to; i += step) {
                        out.add(i);
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + spec + "' is not an array index list such as 0-3,5", e);
            }
        }
        return List.copyOf(out);
    }

    static String format(List<Integer> tasks) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(tasks));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < sorted.size();) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(sorted.get(i));
            if (j > i) {
                b.append('-').append(sorted.get(j));
            }
            i = j + 1;
        }
        return b.toString();
    }
}
