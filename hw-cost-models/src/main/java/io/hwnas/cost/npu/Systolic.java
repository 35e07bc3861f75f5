package io.hwnas.cost.npu;

import java.util.Locale;

/**
 * SCALE-Sim (v2) style cycle and SRAM-traffic counts of one GEMM-shaped layer on a systolic array
 * for the output-, weight- and input-stationary dataflows.
 */
public enum Systolic {
    OS, WS, IS;

    /**
     * Parses a profile's {@code dataflow}.
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static Systolic parse(String text, String origin) {
        for (Systolic s : values()) {
            if (s.name().toLowerCase(Locale.ROOT).equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException(origin + ": setting dataflow = '" + text
                + "' is not allowed; expected one of [os, ws, is]");
    }

    /**
     * Compute cycles of {@code groups} independent GEMMs, each with {@code pixels} output rows
     * (batch x E x F), {@code filters} output columns and a reduction of {@code window}.
     */
    public double cycles(double pixels, double filters, double window, int groups, int rows, int cols) {
        double sr, sc, t;
        switch (this) {
            case OS -> { sr = pixels; sc = filters; t = window; }
            case WS -> { sr = window; sc = filters; t = pixels; }
            default -> { sr = window; sc = pixels; t = filters; }
        }
        double folds = Math.ceil(sr / rows) * Math.ceil(sc / cols);
        double perFold = (this == OS ? rows : 2.0 * rows) + cols + t - 2;
        return groups * folds * perFold;
    }

    /**
     * On-chip buffer traffic in bytes for a layer with the given weight, input and output bytes:
     * operands are re-read once per fold of the dimension they are not stationary in.
     */
    public double bufferBytes(double pixels, double filters, double window, int groups, int rows, int cols,
            double weightBytes, double inBytes, double outBytes) {
        return switch (this) {
            case OS -> weightBytes * Math.ceil(pixels / rows) + inBytes * Math.ceil(filters / cols) + outBytes;
            case WS -> weightBytes + inBytes * Math.ceil(filters / cols)
                    + outBytes * (2 * Math.ceil(window / rows) - 1);
            case IS -> inBytes + weightBytes * Math.ceil(pixels / cols) + outBytes * (2 * Math.ceil(window / rows) - 1);
        };
    }
}
