package io.hwnas.experiments.export.int8;

import java.util.Locale;

/** How activation ranges are chosen from the calibration values of a tensor. */
public enum RangeMethod {
    /** The observed minimum and maximum. */
    MINMAX,
    /** The {@code (100 - p)}-th and {@code p}-th percentiles of the values ({@link Int8Options#percentile()}). */
    PERCENTILE,
    /** The clipping range with the least mean squared uint8 quantisation error over the values. */
    MSE;

    /** Parses {@code minmax}, {@code percentile} or {@code mse}. */
    public static RangeMethod parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "minmax", "min-max" -> MINMAX;
            case "percentile" -> PERCENTILE;
            case "mse" -> MSE;
            default -> throw new IllegalArgumentException(
                    "int8 range method '" + text + "' is not known; allowed: minmax, percentile, mse");
        };
    }

    /** The lower-case name, as written into metadata and JSON. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
