package io.hwnas.core.supernet;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The elastic range of a {@link MobilenetSupernet}: the {@code mobilenet} space (with its options), the input
 * channels and classes, one fixed resolution and width multiplier (the space's largest by default), and the
 * kernels and expansions the supernet serves (all of the space's by default). Depths 2-4, squeeze-excite on
 * or off and every per-layer channel scale are always covered (the last by slicing output channels).
 *
 * <p><em>Elastic group widths</em> ({@code groupWidths} other than {@code [1.0]}) train narrower networks too:
 * each random subnet the training draws keeps, for each of the nine residual-tied channel groups outside the
 * MBConv blocks' hidden channels (the stem, the first block, each of the five stages, the last block, the head
 * convolution; {@link #OUTER_GROUPS}), one of these fractions of the group's channels (the first ones; the smallest
 * subnet the narrowest everywhere), the hidden channels unchanged. That is exactly the network a channel pruning
 * of those groups leaves when it keeps the first channels ({@link #orderedChannels}), so a pruned group starts from
 * weights the supernet trained (OFA's elastic width, at the granularity of the groups a compression search
 * prunes). The architectures, and so the searches and the accuracy estimators, are those of the space; only the
 * training and the pruning use the widths.
 *
 * @param space      the search space, with the options its architectures were made under
 * @param channels   input image channels
 * @param classes    output classes
 * @param resolution the largest input resolution a subnet runs at (the largest subnet's), one of the space's
 *                   {@code resolutions}
 * @param width      the width multiplier of every subnet, one of the space's {@code widths}
 * @param kernels    depthwise kernel sizes served, ascending; the largest is the kernel the weights are kept at
 * @param expansions expansion ratios served, ascending; the largest sets the hidden channels kept
 * @param groupWidths fractions of an outer group's channels a trained subnet keeps, in (0, 1], descending, 1.0
 *                   first; {@code [1.0]} trains full widths only
 * @param resolutions the input resolutions served (elastic resolution, as in OFA), ascending, some of the space's,
 *                   the largest {@code resolution}; {@code [resolution]} serves that one only
 */
public record SupernetSpec(MobilenetSpace space, int channels, int classes, int resolution, double width,
        List<Integer> kernels, List<Integer> expansions, List<Double> groupWidths, List<Integer> resolutions) {

    private static final List<Integer> SPACE_KERNELS = List.of(3, 5, 7);
    private static final List<Integer> SPACE_EXPANSIONS = List.of(3, 4, 6);
    private static final List<Double> FULL = List.of(1.0);
    /** The channel groups outside the blocks' hidden channels: stem, first block, five stages, last block, head. */
    public static final int OUTER_GROUPS = MobilenetSpace.OUTER_GROUPS;

    public SupernetSpec {
        Objects.requireNonNull(space, "space");
        kernels = sortedSubset("kernels", kernels, SPACE_KERNELS);
        expansions = sortedSubset("expansions", expansions, SPACE_EXPANSIONS);
        groupWidths = groupWidths(groupWidths);
        if (!resolutions(space).contains(resolution)) {
            throw new IllegalArgumentException("supernet resolution " + resolution + " is not one of the space's "
                    + resolutions(space));
        }
        resolutions = sortedSubset("resolutions", resolutions, resolutions(space));
        if (resolutions.get(resolutions.size() - 1) != resolution) {
            throw new IllegalArgumentException("supernet resolutions " + resolutions + " must have the largest "
                    + "resolution " + resolution + " as their largest");
        }
        if (widthIndex(space, width) < 0) {
            throw new IllegalArgumentException("supernet width " + width + " is not one of the space's "
                    + widths(space));
        }
        if (channels <= 0 || classes <= 1) {
            throw new IllegalArgumentException("a supernet needs positive input channels and at least 2 classes, "
                    + "but had " + channels + " and " + classes);
        }
    }

    /** A spec at one resolution. */
    public SupernetSpec(MobilenetSpace space, int channels, int classes, int resolution, double width,
            List<Integer> kernels, List<Integer> expansions, List<Double> groupWidths) {
        this(space, channels, classes, resolution, width, kernels, expansions, groupWidths, List.of(resolution));
    }

    /** A spec at one resolution with full widths only (no elastic group widths). */
    public SupernetSpec(MobilenetSpace space, int channels, int classes, int resolution, double width,
            List<Integer> kernels, List<Integer> expansions) {
        this(space, channels, classes, resolution, width, kernels, expansions, FULL);
    }

    /** A spec of the space's largest resolution and width, with every kernel and expansion. */
    public static SupernetSpec of(MobilenetSpace space, int channels, int classes) {
        return new SupernetSpec(space, channels, classes, Collections.max(resolutions(space)),
                Collections.max(widths(space)), SPACE_KERNELS, SPACE_EXPANSIONS);
    }

    /**
     * What differs between this spec and {@code other}, field by field (the space by name and options, not by
     * identity), e.g. {@code "width 0.5 in the checkpoint, but 0.25 expected"}; empty when they describe the same
     * supernet.
     *
     * @param here  how the messages place this spec's values, e.g. "in the checkpoint"
     * @param there how they place {@code other}'s, e.g. "expected"
     */
    public List<String> differences(SupernetSpec other, String here, String there) {
        List<String> diff = new java.util.ArrayList<>();
        differ(diff, "space", space.name(), other.space.name(), here, there);
        differ(diff, "space options", space.options(), other.space.options(), here, there);
        differ(diff, "input channels", channels, other.channels, here, there);
        differ(diff, "classes", classes, other.classes, here, there);
        differ(diff, "resolutions", resolutions, other.resolutions, here, there); // the largest is the resolution
        differ(diff, "width", width, other.width, here, there);
        differ(diff, "kernels", kernels, other.kernels, here, there);
        differ(diff, "expansions", expansions, other.expansions, here, there);
        differ(diff, "group widths", groupWidths, other.groupWidths, here, there);
        return diff;
    }

    static void differ(List<String> diff, String what, Object have, Object want, String here, String there) {
        if (!have.equals(want)) {
            diff.add(what + " " + have + " " + here + ", but " + want + " " + there);
        }
    }

    /** A copy serving other kernels and expansions (subsets of 3/5/7 and 3/4/6). */
    public SupernetSpec withElastic(List<Integer> newKernels, List<Integer> newExpansions) {
        return new SupernetSpec(space, channels, classes, resolution, width, newKernels, newExpansions, groupWidths,
                resolutions);
    }

    /** A copy whose trained subnets take these group widths (fractions in (0, 1], 1.0 among them). */
    public SupernetSpec withGroupWidths(List<Double> widths) {
        return new SupernetSpec(space, channels, classes, resolution, width, kernels, expansions, widths,
                resolutions);
    }

    /** A copy serving these input resolutions (some of the space's; the largest keeps the weights' shape). */
    public SupernetSpec withResolutions(List<Integer> newResolutions) {
        return new SupernetSpec(space, channels, classes, Collections.max(newResolutions), width, kernels, expansions,
                groupWidths, newResolutions);
    }

    /** Whether subnets run at more than one resolution (elastic resolution). */
    public boolean elasticResolutions() {
        return resolutions.size() > 1;
    }

    /** Whether the training draws narrower outer groups: group widths other than [1.0]. */
    public boolean elasticGroupWidths() {
        return groupWidths.size() > 1;
    }

    /**
     * The widths of a trained subnet's {@link #OUTER_GROUPS outer groups}, drawn from {@code random}: with
     * probability 1/2 full widths (null), else one listed width per group; null (and nothing drawn) without
     * {@link #elasticGroupWidths() elastic group widths}. The coin keeps the space's own (unpruned) subnets trained
     * as often as the narrowed ones: with a width drawn for each of nine groups, a subnet at full width everywhere
     * would almost never be drawn, and the supernet's full-width subnets lost 2 points (one 24-group subnet,
     * post-training int8 top-1: 86.44% against 88.66% without group widths, 5,000 steps each).
     */
    public double[] drawGroupWidths(SplittableRandom random) {
        if (!elasticGroupWidths() || random.nextBoolean()) {
            return null;
        }
        double[] w = new double[OUTER_GROUPS];
        for (int s = 0; s < w.length; s++) {
            w[s] = groupWidths.get(random.nextInt(groupWidths.size()));
        }
        return w;
    }

    /** The narrowest width for every outer group (the smallest subnet's); null without elastic group widths. */
    public double[] narrowestGroupWidths() {
        if (!elasticGroupWidths()) {
            return null;
        }
        double[] w = new double[OUTER_GROUPS];
        java.util.Arrays.fill(w, groupWidths.get(groupWidths.size() - 1));
        return w;
    }

    /** A copy at another (single) resolution and width of the space. */
    public SupernetSpec at(int newResolution, double newWidth) {
        return new SupernetSpec(space, channels, classes, newResolution, newWidth, kernels, expansions, groupWidths);
    }

    /** The kernel the depthwise weights are kept at. */
    public int maxKernel() {
        return kernels.get(kernels.size() - 1);
    }

    /**
     * Whether the channels the convolution {@code conv} of a subnet writes are ordered in the supernet: the
     * expansion convolutions of the searched stages' blocks, whose narrower expansions are trained on the first
     * channels, when the spec has more than one expansion; and, with {@link #elasticGroupWidths() elastic group
     * widths}, the convolutions that write the outer groups (stem, block projections, head). Pruning such channels
     * to fewer keeps the first ones: a narrower block or group the supernet trained, or close to one, rather than
     * a new choice by norm.
     */
    public boolean orderedChannels(String conv) {
        return expansions.size() > 1 && conv.matches("stage\\d+\\.layer\\d+\\.expand\\.conv")
                || elasticGroupWidths() && MobilenetSpace.outerGroup(conv) >= 0;
    }

    /** The IR network of a subnet, at its own resolution and this spec's input channels. */
    public Network network(Architecture subnet) {
        int r = space.resolution(subnet);
        return space.network(subnet, new Shape(channels, r, r), classes);
    }

    /**
     * The IR network of a subnet whose {@link #OUTER_GROUPS outer group} {@code g} keeps {@code round(c *
     * groupWidths[g])} of its {@code c} channels (rounded as a compression search rounds; a group a residual ties
     * across stages takes its first stage's width), or the plain network when {@code groupWidths} is null.
     */
    public Network network(Architecture subnet, double[] groupWidths) {
        Network full = network(subnet);
        if (groupWidths == null) {
            return full;
        }
        int[] group = io.hwnas.core.ir.ChannelGroups.of(full);
        java.util.Map<Integer, Integer> keptOfGroup = new java.util.HashMap<>();
        int[] kept = new int[full.layers().size()];
        for (io.hwnas.core.ir.Layer l : full.layers()) {
            int g = MobilenetSpace.outerGroup(l.name());
            if (g >= 0) {
                kept[l.id()] = keptOfGroup.computeIfAbsent(group[l.id()],
                        k -> Math.max(1, (int) Math.round(l.output().channels() * groupWidths[g])));
            }
        }
        return new io.hwnas.core.ir.Compression(new int[kept.length], new int[kept.length], kept).apply(full);
    }

    /** The subnet whose weights the supernet keeps: depth 4, the largest kernel and expansion, SE, full channels. */
    public Architecture largest() {
        return build(resolution, 4, kernels.size() - 1, expansions.size() - 1, 1, 0);
    }

    /**
     * The smallest subnet: the smallest resolution, depth 2, the smallest kernel and expansion, no SE, the
     * narrowest searched channels.
     */
    public Architecture smallest() {
        int scales = space.choices()[MobilenetSpace.position(0, 0, 3)];
        return build(resolutions.get(0), 2, 0, 0, 0, scales - 1);
    }

    private Architecture build(int r, int depth, int kernel, int expansion, int se, int scale) {
        int[] v = head(r);
        for (int s = 0; s < 5; s++) {
            v[MobilenetSpace.depthPosition(s)] = depth - 2;
            for (int l = 0; l < 4; l++) {
                v[MobilenetSpace.position(s, l, 0)] = SPACE_KERNELS.indexOf(kernels.get(kernel));
                v[MobilenetSpace.position(s, l, 1)] = SPACE_EXPANSIONS.indexOf(expansions.get(expansion));
                v[MobilenetSpace.position(s, l, 2)] = se;
                v[MobilenetSpace.position(s, l, 3)] = scale;
            }
        }
        return space.decode(v);
    }

    /**
     * A uniformly drawn subnet of the elastic range (channel scales only where the space searches them; the
     * resolution, drawn first, only with {@link #elasticResolutions() elastic resolutions}).
     */
    public Architecture sample(SplittableRandom random) {
        int[] choices = space.choices();
        int[] v = head(elasticResolutions() ? resolutions.get(random.nextInt(resolutions.size())) : resolution);
        for (int s = 0; s < 5; s++) {
            v[MobilenetSpace.depthPosition(s)] = random.nextInt(3);
            for (int l = 0; l < 4; l++) {
                v[MobilenetSpace.position(s, l, 0)] = SPACE_KERNELS.indexOf(kernels.get(random.nextInt(kernels.size())));
                v[MobilenetSpace.position(s, l, 1)] = SPACE_EXPANSIONS.indexOf(
                        expansions.get(random.nextInt(expansions.size())));
                v[MobilenetSpace.position(s, l, 2)] = random.nextInt(2);
                v[MobilenetSpace.position(s, l, 3)] = random.nextInt(choices[MobilenetSpace.position(s, l, 3)]);
            }
        }
        return space.decode(v);
    }

    private static List<Double> groupWidths(List<Double> widths) {
        List<Double> sorted = new ArrayList<>(new java.util.TreeSet<>(Objects.requireNonNull(widths, "groupWidths")));
        Collections.reverse(sorted);
        if (sorted.isEmpty() || sorted.get(0) != 1.0 || sorted.get(sorted.size() - 1) <= 0) {
            throw new IllegalArgumentException("supernet group widths " + widths + " must be fractions in (0, 1] "
                    + "with 1.0 among them");
        }
        return List.copyOf(sorted);
    }

    private int[] head(int r) {
        int[] v = new int[space.choices().length];
        v[0] = resolutions(space).indexOf(r);
        v[1] = widthIndex(space, width);
        return v;
    }

    /**
     * Checks that the supernet serves a subnet.
     *
     * @throws IllegalArgumentException naming the architecture, what lies outside, and what the supernet covers
     */
    public void check(Architecture subnet) {
        List<String> outside = new ArrayList<>();
        if (!space.name().equals(subnet.space())) {
            outside.add("space " + subnet.space());
        } else {
            int[] v = subnet.vectorArray();
            if (v.length != space.choices().length || !space.violations(v).isEmpty()) {
                outside.add("an invalid decision vector for this space: " + space.violations(v));
            } else {
                checkLayers(space.resolution(subnet), widths(space).get(v[1]), v, outside);
            }
        }
        if (!outside.isEmpty()) {
            throw new IllegalArgumentException("subnet " + subnet + " is outside the supernet's elastic range ("
                    + String.join("; ", outside) + "); the supernet covers " + describe());
        }
    }

    private void checkLayers(int r, double w, int[] v, List<String> outside) {
        if (!resolutions.contains(r)) {
            outside.add("resolution " + r);
        }
        if (Math.abs(w - width) > 1e-9) {
            outside.add("width " + w);
        }
        for (int s = 0; s < 5; s++) {
            int depth = v[MobilenetSpace.depthPosition(s)] + 2;
            for (int l = 0; l < depth; l++) {
                int k = SPACE_KERNELS.get(v[MobilenetSpace.position(s, l, 0)]);
                int e = SPACE_EXPANSIONS.get(v[MobilenetSpace.position(s, l, 1)]);
                if (!kernels.contains(k)) {
                    outside.add("stage " + s + " layer " + l + " kernel " + k);
                }
                if (!expansions.contains(e)) {
                    outside.add("stage " + s + " layer " + l + " expansion " + e);
                }
            }
        }
    }

    /** What the supernet covers, in words. */
    public String describe() {
        return "space " + space.name() + " " + space.options() + " at resolution"
                + (elasticResolutions() ? "s " + resolutions : " " + resolution) + ", width " + width
                + ", input channels " + channels + ", " + classes + " classes: depths 2-4, kernels " + kernels
                + ", expansions " + expansions + ", SE on or off, every channel scale"
                + (elasticGroupWidths() ? " (trained with group widths " + groupWidths + ")" : "");
    }

    private static List<Integer> sortedSubset(String what, List<Integer> values, List<Integer> allowed) {
        List<Integer> sorted = new ArrayList<>(new java.util.TreeSet<>(Objects.requireNonNull(values, what)));
        if (sorted.isEmpty() || !allowed.containsAll(sorted)) {
            throw new IllegalArgumentException("supernet " + what + " " + values + " must be a non-empty subset of "
                    + allowed);
        }
        return List.copyOf(sorted);
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> resolutions(MobilenetSpace space) {
        return (List<Integer>) space.options().get("resolutions");
    }

    @SuppressWarnings("unchecked")
    private static List<Double> widths(MobilenetSpace space) {
        return (List<Double>) space.options().get("widths");
    }

    private static int widthIndex(MobilenetSpace space, double width) {
        List<Double> w = widths(space);
        for (int i = 0; i < w.size(); i++) {
            if (Math.abs(w.get(i) - width) < 1e-9) {
                return i;
            }
        }
        return -1;
    }
}
