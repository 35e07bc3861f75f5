package io.hwnas.cost;

/** Number formatting for messages that are built in hot paths (String.format looks up locale data each call). */
public final class Text {

    private Text() {
    }

    /** An integer with thousands separators, e.g. {@code 1,234,567}. */
    public static String count(double value) {
        long v = Math.round(value);
        String digits = Long.toString(Math.abs(v));
        StringBuilder sb = new StringBuilder(digits.length() + digits.length() / 3 + 1);
        if (v < 0) {
            sb.append('-');
        }
        int first = digits.length() % 3 == 0 ? 3 : digits.length() % 3;
        sb.append(digits, 0, first);
        for (int i = first; i < digits.length(); i += 3) {
            sb.append(',').append(digits, i, i + 3);
        }
        return sb.toString();
    }
}
