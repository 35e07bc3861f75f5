package io.hwnas.experiments.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * The compact encodings of the report data (format 2), which {@code report-core.js} decodes:
 * numbers only as precise as the page shows them, runs of consecutive integers and runs of equal
 * values. A 2,000-evaluation run's data is then well under 1 MB, and the page parses it fast.
 */
final class CompactJson {

    /** Significant digits kept of a number the page shows with {@link #shown four}. */
    static final int DIGITS = 5;
    private static final double WHOLE = 1e4;

    private CompactJson() {
    }

    /**
     * How the page shows a number ({@code fmt} in {@code report-core.js}): from 10,000 up the
     * nearest whole number (JavaScript's {@code Math.round}), below it four significant digits of
     * the exact value ({@code Number.prototype.toPrecision(4)}: halves away from zero).
     */
    static String shown(double v) {
        if (!Double.isFinite(v)) {
            return "unknown";
        }
        if (Math.abs(v) >= WHOLE) {
            return Long.toString((long) Math.floor(v + 0.5));
        }
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(4, RoundingMode.HALF_UP)).stripTrailingZeros().toPlainString();
    }

    /**
     * The shortest of {@code v} to {@value #DIGITS} or more significant digits that the page shows
     * exactly as it shows {@code v}; from 10,000 up the whole number the page shows. Not finite
     * numbers stay as they are.
     */
    static double number(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return v;
        }
        if (Math.abs(v) >= WHOLE) {
            return Math.floor(v + 0.5);
        }
        String want = shown(v);
        for (int digits = DIGITS; digits < 17; digits++) {
            double r = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN)).doubleValue();
            if (shown(r).equals(want)) {
                return r;
            }
        }
        return v;
    }

    /** Adds a number as {@link #number} keeps it: a whole one without a fraction, a missing one as null. */
    static void add(ArrayNode a, double v) {
        double r = number(v);
        if (!Double.isFinite(r)) {
            a.addNull();
        } else if (r == Math.rint(r) && Math.abs(r) < 1e15) {
            a.add((long) r);
        } else {
            a.add(r);
        }
    }

    /** Integers as runs of consecutive ones: first, length, first, length... ({@code [3,4,5,9]} is {@code [3,3,9,1]}). */
    static ArrayNode runs(ArrayNode out, List<Integer> ints) {
        int i = 0;
        while (i < ints.size()) {
            int first = ints.get(i);
            int n = 1;
            while (i + n < ints.size() && ints.get(i + n) == first + n) {
                n++;
            }
            out.add(first).add(n);
            i += n;
        }
        return out;
    }

    /** Numbers as runs of equal values: value, count, value, count... (each value as {@link #add} writes it). */
    static ArrayNode repeats(ArrayNode out, double[] values) {
        int i = 0;
        while (i < values.length) {
            double v = number(values[i]);
            int n = 1;
            while (i + n < values.length && Double.compare(number(values[i + n]), v) == 0) {
                n++;
            }
            add(out, values[i]);
            out.add(n);
            i += n;
        }
        return out;
    }
}
