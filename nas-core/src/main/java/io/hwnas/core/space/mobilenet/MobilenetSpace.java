package io.hwnas.core.space.mobilenet;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.InvalidArchitectureException;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A MnasNet / Once-for-All style MBConv space on the MobileNetV2 skeleton: input resolution and
 * width multiplier choices, then 5 searchable stages (24, 32, 64, 96, 160 channels at width 1.0) of
 * depth 2, 3 or 4, each layer with kernel 3/5/7, expansion 3/4/6 and optional squeeze-excite, and
 * a per-layer output-channel scale (the knob NetAdapt turns; searched only with
 * {@code search_channels: true}).
 *
 * <p>Canonical string: {@code r224-w1.0|k3e6,k3e6|k5e4se,k3e6@0.75,...|...}, one {@code |}-group per
 * stage with one token per active layer ({@code @s} marks a channel scale below 1). The
 * architecture's resolution sets the network's height and width; the caller's input shape gives the
 * channels.
 */
public final class MobilenetSpace implements SearchSpace {

    static final int STAGES = 5;
    static final int MAX_DEPTH = 4;
    static final int[] DEPTHS = {2, 3, 4};
    static final int[] KERNELS = {3, 5, 7};
    /** Expansion ratios of the MBConv blocks, by choice index. */
    public static final int[] EXPANSIONS = {3, 4, 6};
    /** Output-channel scales, index 0 = full width. */
    public static final double[] CHANNEL_SCALES = {1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25};
    private static final int[] STAGE_CHANNELS = {24, 32, 64, 96, 160};
    private static final int[] STAGE_STRIDES = {2, 2, 2, 1, 2};
    static final int PER_LAYER = 4; // kernel, expansion, se, channel scale
    private static final int PER_STAGE = 1 + MAX_DEPTH * PER_LAYER;
    static final int POSITIONS = 2 + STAGES * PER_STAGE;

    private final List<Integer> resolutions;
    private final List<Double> widths;
    private final int stemStride;
    private final boolean searchChannels;
    private final LayerKind activation;
    private final MobilenetStrings strings;

    public MobilenetSpace() {
        this(List.of(160, 192, 224), List.of(0.75, 1.0, 1.25), 2, false, LayerKind.RELU6);
    }

    private MobilenetSpace(List<Integer> resolutions, List<Double> widths, int stemStride, boolean searchChannels,
            LayerKind activation) {
        this.resolutions = List.copyOf(resolutions);
        this.widths = List.copyOf(widths);
        this.stemStride = stemStride;
        this.searchChannels = searchChannels;
        this.activation = activation;
        this.strings = new MobilenetStrings(this.resolutions, this.widths);
    }

    @Override
    public String name() {
        return "mobilenet";
    }

    @Override
    public String description() {
        return "MnasNet/OFA-style MBConv space: resolution " + resolutions + ", width " + widths
                + ", 5 stages of depth 2-4, kernel 3/5/7, expansion 3/4/6, optional SE, per-layer channel scale";
    }

    @Override
    public int[] choices() {
        int[] c = new int[POSITIONS];
        c[0] = resolutions.size();
        c[1] = widths.size();
        for (int s = 0; s < STAGES; s++) {
            int base = stageBase(s);
            c[base] = DEPTHS.length;
            for (int l = 0; l < MAX_DEPTH; l++) {
                int p = base + 1 + l * PER_LAYER;
                c[p] = KERNELS.length;
                c[p + 1] = EXPANSIONS.length;
                c[p + 2] = 2;
                c[p + 3] = searchChannels ? CHANNEL_SCALES.length : 1;
            }
        }
        return c;
    }

    /** Choices a valid vector may hold (the channel scales even when they are not searched). */
    private int[] validRange() {
        int[] c = choices();
        for (int s = 0; s < STAGES; s++) {
            for (int l = 0; l < MAX_DEPTH; l++) {
                c[stageBase(s) + 1 + l * PER_LAYER + 3] = CHANNEL_SCALES.length;
            }
        }
        return c;
    }

    static int stageBase(int s) {
        return 2 + s * PER_STAGE;
    }

    /** Position of a layer attribute: 0 kernel, 1 expansion, 2 se, 3 channel scale. */
    public static int position(int stage, int layer, int attribute) {
        return stageBase(stage) + 1 + layer * PER_LAYER + attribute;
    }

    /** Position of a stage's depth. */
    public static int depthPosition(int stage) {
        return stageBase(stage);
    }

    @Override
    public List<String> positions() {
        List<String> names = new ArrayList<>();
        names.add("resolution");
        names.add("width");
        String[] attrs = {"kernel", "expansion", "se", "channels"};
        for (int s = 0; s < STAGES; s++) {
            names.add("stage" + s + ".depth");
            for (int l = 0; l < MAX_DEPTH; l++) {
                for (String a : attrs) {
                    names.add("stage" + s + ".layer" + l + "." + a);
                }
            }
        }
        return names;
    }

    @Override
    public BigInteger size() {
        BigInteger perLayer = BigInteger.valueOf((long) KERNELS.length * EXPANSIONS.length * 2
                * (searchChannels ? CHANNEL_SCALES.length : 1));
        BigInteger perStage = BigInteger.ZERO;
        for (int d : DEPTHS) {
            perStage = perStage.add(perLayer.pow(d));
        }
        return perStage.pow(STAGES).multiply(BigInteger.valueOf((long) resolutions.size() * widths.size()));
    }

    @Override
    public List<String> violations(int[] v) {
        List<String> out = new ArrayList<>();
        if (v.length != POSITIONS) {
            out.add("the decision vector must have " + POSITIONS + " positions, but had " + v.length);
            return out;
        }
        int[] range = validRange();
        List<String> names = positions();
        for (int i = 0; i < 2; i++) {
            check(v, i, range, names, out);
        }
        for (int s = 0; s < STAGES; s++) {
            int base = stageBase(s);
            check(v, base, range, names, out);
            int depth = v[base] >= 0 && v[base] < DEPTHS.length ? DEPTHS[v[base]] : MAX_DEPTH;
            for (int p = base + 1; p < base + 1 + depth * PER_LAYER; p++) {
                check(v, p, range, names, out);
            }
        }
        return out;
    }

    private static void check(int[] v, int p, int[] range, List<String> names, List<String> out) {
        if (v[p] < 0 || v[p] >= range[p]) {
            out.add("position " + p + " (" + names.get(p) + ") = " + v[p] + " must be in 0.." + (range[p] - 1));
        }
    }

    @Override
    public Architecture decode(int[] vector) {
        List<String> bad = violations(vector);
        if (!bad.isEmpty()) {
            throw new InvalidArchitectureException(java.util.Arrays.toString(vector), bad);
        }
        int[] v = vector.clone();
        for (int s = 0; s < STAGES; s++) { // inactive layers are normalised so equal networks have equal vectors
            int base = stageBase(s);
            int depth = DEPTHS[v[base]];
            for (int p = base + 1 + depth * PER_LAYER; p < base + PER_STAGE; p++) {
                v[p] = 0;
            }
        }
        return Architecture.of(name(), v, strings.format(v));
    }

    @Override
    public Architecture parse(String text) {
        return decode(strings.parse(text));
    }

    /** Rounds channels to a multiple of 8, never below 8 or 90% of the request (MobileNet convention). */
    static int divisible(double channels) {
        int c = Math.max(8, (int) (channels + 4) / 8 * 8);
        return c < 0.9 * channels ? c + 8 : c;
    }

    @Override
    public Shape defaultInput() {
        return new Shape(3, 224, 224);
    }

    @Override
    public int defaultClasses() {
        return 1000;
    }

    @Override
    public Network network(Architecture architecture, Shape input, int classes) {
        int[] v = buildableVector(architecture, classes);
        int r = resolutions.get(v[0]);
        double w = widths.get(v[1]);
        NetworkBuilder b = new NetworkBuilder(new Shape(input.channels(), r, r));
        int x = b.conv("stem.conv", b.input(), divisible(32 * w), 3, stemStride, 1, 1, false);
        x = b.batchNorm("stem.bn", x);
        x = b.activation("stem.act", activation, x);
        x = mbconv(b, "first", x, divisible(16 * w), 3, 1, 1, false);
        for (int s = 0; s < STAGES; s++) {
            int base = stageBase(s);
            for (int l = 0; l < DEPTHS[v[base]]; l++) {
                int p = base + 1 + l * PER_LAYER;
                int out = divisible(STAGE_CHANNELS[s] * w * CHANNEL_SCALES[v[p + 3]]);
                int stride = l == 0 ? STAGE_STRIDES[s] : 1;
                x = mbconv(b, "stage" + s + ".layer" + l, x, out, KERNELS[v[p]], EXPANSIONS[v[p + 1]], stride,
                        v[p + 2] == 1);
            }
        }
        x = mbconv(b, "last", x, divisible(320 * w), 3, 6, 1, false);
        x = b.conv("head.conv", x, divisible(1280 * Math.max(1.0, w)), 1, 1, 0, 1, false);
        x = b.batchNorm("head.bn", x);
        x = b.activation("head.act", activation, x);
        x = b.globalAvgPool("head.pool", x);
        b.linear("head.classifier", x, classes, true);
        return b.build();
    }

    /**
     * The channel groups {@link #network} writes outside the blocks' hidden channels, which residual adds tie
     * together: the stem, the first block, the five stages, the last block, the head convolution.
     */
    public static final int OUTER_GROUPS = 9;

    private static final java.util.regex.Pattern STAGE_PROJECTION = java.util.regex.Pattern.compile(
            "stage(\\d+)\\.layer\\d+\\.project\\.conv");

    /**
     * The outer group a convolution of {@link #network} writes, by the layer names it gives them: 0 the stem, 1 the
     * first block, 2 + s stage s's blocks, 7 the last block, 8 the head convolution; -1 for any other layer.
     */
    public static int outerGroup(String layer) {
        java.util.regex.Matcher m = STAGE_PROJECTION.matcher(layer);
        if (m.matches()) {
            return 2 + Integer.parseInt(m.group(1));
        }
        return switch (layer) {
            case "stem.conv" -> 0;
            case "first.project.conv" -> 1;
            case "last.project.conv" -> 7;
            case "head.conv" -> 8;
            default -> -1;
        };
    }

    private int mbconv(NetworkBuilder b, String name, int x, int out, int kernel, int expansion, int stride,
            boolean se) {
        int in = b.shape(x).channels();
        int mid = in * expansion;
        int y = x;
        if (expansion != 1) {
            y = b.conv(name + ".expand.conv", y, mid, 1, 1, 0, 1, false);
            y = b.batchNorm(name + ".expand.bn", y);
            y = b.activation(name + ".expand.act", activation, y);
        }
        y = b.conv(name + ".dw.conv", y, mid, kernel, stride, kernel / 2, mid, false);
        y = b.batchNorm(name + ".dw.bn", y);
        y = b.activation(name + ".dw.act", activation, y);
        if (se) {
            y = b.squeezeExcite(name + ".se", y, divisible(mid / 4.0));
        }
        y = b.conv(name + ".project.conv", y, out, 1, 1, 0, 1, false);
        y = b.batchNorm(name + ".project.bn", y);
        return in == out && stride == 1 ? b.add(name + ".add", List.of(x, y)) : y;
    }

    /** The resolution an architecture runs at. */
    public int resolution(Architecture architecture) {
        return resolutions.get(architecture.vector().get(0));
    }

    /** A copy of the architecture with one layer's output-channel scale set (NetAdapt's knob). */
    public Architecture withChannelScale(Architecture architecture, int stage, int layer, int scaleIndex) {
        int[] v = encode(architecture);
        v[position(stage, layer, 3)] = scaleIndex;
        return decode(v);
    }

    @Override
    public Map<String, Object> options() {
        return Options.ordered("resolutions", resolutions, "widths", widths, "stem_stride", stemStride,
                "search_channels", searchChannels, "activation", activation.id());
    }

    @Override
    public SearchSpace withOptions(Map<String, ?> options) {
        Options o = new Options("search space mobilenet", options,
                Set.of("resolutions", "widths", "stem_stride", "search_channels", "activation"));
        String act = o.string("activation", activation.id(), List.of("relu", "relu6", "hswish"));
        return new MobilenetSpace(o.integers("resolutions", resolutions), o.numbers("widths", widths),
                o.integer("stem_stride", stemStride, 1, 2), o.bool("search_channels", searchChannels),
                LayerKind.valueOf(act.toUpperCase(Locale.ROOT)));
    }
}
