package io.hwnas.core.space.mobilenet;

import static io.hwnas.core.space.mobilenet.MobilenetSpace.CHANNEL_SCALES;
import static io.hwnas.core.space.mobilenet.MobilenetSpace.DEPTHS;
import static io.hwnas.core.space.mobilenet.MobilenetSpace.EXPANSIONS;
import static io.hwnas.core.space.mobilenet.MobilenetSpace.KERNELS;
import static io.hwnas.core.space.mobilenet.MobilenetSpace.PER_LAYER;
import static io.hwnas.core.space.mobilenet.MobilenetSpace.POSITIONS;
import static io.hwnas.core.space.mobilenet.MobilenetSpace.STAGES;
import static io.hwnas.core.space.mobilenet.MobilenetSpace.stageBase;

import io.hwnas.core.space.ArchitectureFormatException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The canonical strings of {@link MobilenetSpace} ({@code r224-w1.0|k3e6,k3e6|k5e4se,k3e6@0.75,...|...}):
 * written from a decision vector and parsed back into one, for the space's resolution and width choices.
 */
final class MobilenetStrings {

    private static final String SPACE = "mobilenet";
    private static final Pattern HEAD = Pattern.compile("r(\\d+)-w([0-9.]+)");
    private static final Pattern LAYER = Pattern.compile("k(\\d)e(\\d)(se)?(?:@([0-9.]+))?");

    private final List<Integer> resolutions;
    private final List<Double> widths;

    MobilenetStrings(List<Integer> resolutions, List<Double> widths) {
        this.resolutions = resolutions;
        this.widths = widths;
    }

    /** The canonical string of a normalised decision vector. */
    String format(int[] v) {
        StringBuilder sb = new StringBuilder();
        sb.append('r').append(resolutions.get(v[0])).append("-w").append(formatScale(widths.get(v[1])));
        for (int s = 0; s < STAGES; s++) {
            sb.append('|');
            int base = stageBase(s);
            for (int l = 0; l < DEPTHS[v[base]]; l++) {
                int p = base + 1 + l * PER_LAYER;
                if (l > 0) {
                    sb.append(',');
                }
                sb.append('k').append(KERNELS[v[p]]).append('e').append(EXPANSIONS[v[p + 1]]);
                if (v[p + 2] == 1) {
                    sb.append("se");
                }
                if (v[p + 3] != 0) {
                    sb.append('@').append(formatScale(CHANNEL_SCALES[v[p + 3]]));
                }
            }
        }
        return sb.toString();
    }

    private static String formatScale(double d) {
        String s = String.format(Locale.ROOT, "%.3f", d);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s + "0" : s;
    }

    /**
     * The decision vector of an architecture string (inactive layers zero).
     *
     * @throws ArchitectureFormatException if the string does not parse, with the offset of the fault
     */
    int[] parse(String text) {
        String t = text.trim();
        int[] v = new int[POSITIONS];
        String[] groups = t.split("\\|", -1);
        if (groups.length != STAGES + 1) {
            throw new ArchitectureFormatException(SPACE, text, 0, "expected 'rR-wW' and " + STAGES
                    + " '|'-separated stages, but found " + (groups.length - 1) + " stages");
        }
        parseHead(text, groups[0], v);
        int offset = groups[0].length() + 1;
        for (int s = 0; s < STAGES; s++) {
            parseStage(text, s, groups[s + 1], offset, v);
            offset += groups[s + 1].length() + 1;
        }
        return v;
    }

    /** Reads {@code r<resolution>-w<width>} into positions 0 and 1. */
    private void parseHead(String text, String head, int[] v) {
        Matcher m = HEAD.matcher(head);
        if (!m.matches()) {
            throw new ArchitectureFormatException(SPACE, text, 0, "expected 'r<resolution>-w<width>', e.g. 'r224-w1.0'");
        }
        v[0] = resolutions.indexOf(Integer.parseInt(m.group(1)));
        if (v[0] < 0) {
            throw new ArchitectureFormatException(SPACE, text, 1, "resolution " + m.group(1) + " is not one of "
                    + resolutions + " (space option resolutions)");
        }
        v[1] = indexOf(widths, Double.parseDouble(m.group(2)));
        if (v[1] < 0) {
            throw new ArchitectureFormatException(SPACE, text, m.start(2), "width " + m.group(2)
                    + " is not one of " + widths + " (space option widths)");
        }
    }

    /** Reads stage {@code s}, the group that starts at {@code offset} of the text, into its positions. */
    private static void parseStage(String text, int s, String group, int offset, int[] v) {
        String[] layers = group.split(",", -1);
        int depth = -1;
        for (int i = 0; i < DEPTHS.length; i++) {
            if (DEPTHS[i] == layers.length) {
                depth = i;
            }
        }
        if (depth < 0) {
            throw new ArchitectureFormatException(SPACE, text, offset, "stage " + s + " has " + layers.length
                    + " layers; a stage has 2, 3 or 4");
        }
        int base = stageBase(s);
        v[base] = depth;
        int pos = offset;
        for (int l = 0; l < layers.length; l++) {
            parseLayer(text, s, l, layers[l], pos, v, base + 1 + l * PER_LAYER);
            pos += layers[l].length() + 1;
        }
    }

    /** Reads layer {@code l} of stage {@code s}, at offset {@code pos} of the text, into positions p..p+3. */
    private static void parseLayer(String text, int s, int l, String layer, int pos, int[] v, int p) {
        Matcher lm = LAYER.matcher(layer);
        if (!lm.matches()) {
            throw new ArchitectureFormatException(SPACE, text, pos, "stage " + s + " layer " + l + ": '"
                    + layer + "' is not of the form k<3|5|7>e<3|4|6>[se][@scale]");
        }
        v[p] = indexOf(KERNELS, Integer.parseInt(lm.group(1)));
        v[p + 1] = indexOf(EXPANSIONS, Integer.parseInt(lm.group(2)));
        v[p + 2] = lm.group(3) != null ? 1 : 0;
        v[p + 3] = lm.group(4) == null ? 0 : indexOf(CHANNEL_SCALES, Double.parseDouble(lm.group(4)));
        if (v[p] < 0 || v[p + 1] < 0 || v[p + 3] < 0) {
            throw new ArchitectureFormatException(SPACE, text, pos, "stage " + s + " layer " + l + ": '"
                    + layer + "' needs kernel 3/5/7, expansion 3/4/6 and a channel scale in "
                    + Arrays.toString(CHANNEL_SCALES));
        }
    }

    private static int indexOf(int[] a, int x) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(double[] a, double x) {
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - x) < 1e-9) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(List<Double> a, double x) {
        for (int i = 0; i < a.size(); i++) {
            if (Math.abs(a.get(i) - x) < 1e-9) {
                return i;
            }
        }
        return -1;
    }
}
