package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import io.hwnas.core.ir.ChannelGroups;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Starts a network from the trained weights of a wider one with the same layers (NetAdapt's
 * candidates from the network they were shrunk from): every channel dimension that shrank keeps the
 * parent's channels whose producing filters have the largest L2 norm, as NetAdapt and filter
 * pruning do.
 *
 * <p>Channels are tracked as <em>channel groups</em>: a convolution starts a new group; batch norm,
 * activations, pooling, squeeze-excite and depthwise convolutions pass their input's group on; an
 * addition ties its inputs' groups into one (a residual connection needs the same channels on both
 * sides). A group's channels are ranked by the summed squared L2 norms of the filters of every
 * convolution that writes it, and the same channels are kept in every tensor that reads or writes
 * the group, so the child computes what the parent computes on the kept channels.
 *
 * <p>A parent whose channels are already ordered (a weight-sharing supernet, whose narrower subnets were trained
 * on the first channels of a dimension) names the convolutions that write such groups, and those groups keep
 * their first channels instead: the child is then a subnet the supernet trained, not a new selection.
 */
public final class WeightInheritance {

    private WeightInheritance() {
    }

    /**
     * Copies {@code parent}'s weights into {@code child}, selecting channels where the child is narrower.
     *
     * @throws IllegalArgumentException if the networks differ in anything but channel counts (layer
     *         names, kinds, connections, kernels), a child channel count exceeds the parent's, or a
     *         layer kind cannot be sliced (concatenation, channel shuffle, grouped convolution)
     */
    public static void inherit(NetworkBlock parent, NetworkBlock child) {
        inherit(parent, child, name -> false);
    }

    /**
     * As {@link #inherit(NetworkBlock, NetworkBlock)}, but a group written by a convolution whose name
     * {@code leading} accepts keeps its first channels (and the squeeze-excite that gates it its first hidden
     * units): the parent's channels there are ordered by importance already.
     */
    public static void inherit(NetworkBlock parent, NetworkBlock child, Predicate<String> leading) {
        Network pn = parent.network();
        Network cn = child.network();
        checkSameLayers(pn, cn);
        int[] group = ChannelGroups.of(pn);
        Set<Integer> ordered = new HashSet<>();
        for (Layer l : pn.layers()) {
            if (l.kind() == LayerKind.CONV2D && !l.isDepthwise() && leading.test(l.name())) {
                ordered.add(group[l.id()]);
            }
        }
        Map<Integer, int[]> keep = kept(parent, cn, group, ordered);
        for (Layer cl : cn.layers()) {
            Layer pl = pn.layers().get(cl.id());
            Block pb = parent.layerBlock(pl.id());
            Block cb = child.layerBlock(cl.id());
            if (cb == null) {
                continue;
            }
            int[] out = keep.get(group[cl.id()]);
            int[] in = cl.inputs().isEmpty() ? null : keep.get(group[cl.inputs().get(0)]);
            switch (cl.kind()) {
                case CONV2D -> {
                    boolean depthwise = pl.isDepthwise();
                    if (pl.groups() != 1 && !depthwise) {
                        throw new IllegalArgumentException("cannot inherit weights through the grouped convolution "
                                + cl.name() + " (groups " + pl.groups() + ")");
                    }
                    copy(pb, cb, "weight", out, depthwise ? null : in);
                    copy(pb, cb, "bias", out, null);
                }
                case BATCH_NORM -> {
                    for (String name : List.of("gamma", "beta", "runningMean", "runningVar")) {
                        copy(pb, cb, name, out, null);
                    }
                }
                case LINEAR -> {
                    int spatial = (int) (cl.input().elements() / cl.input().channels());
                    copy(pb, cb, "weight", null, expand(in, spatial));
                    copy(pb, cb, "bias", null, null);
                }
                case SQUEEZE_EXCITE -> {
                    SqueezeExciteBlock ps = (SqueezeExciteBlock) pb;
                    SqueezeExciteBlock cs = (SqueezeExciteBlock) cb;
                    int[] hidden = select(pl.hidden(), cl.hidden(), ordered.contains(group[cl.id()]) ? null
                            : () -> filterScores(param(ps.reduce(), "weight")), cl);
                    copy(ps.reduce(), cs.reduce(), "weight", hidden, out);
                    copy(ps.reduce(), cs.reduce(), "bias", hidden, null);
                    copy(ps.expand(), cs.expand(), "weight", out, hidden);
                    copy(ps.expand(), cs.expand(), "bias", out, null);
                }
                default -> throw new IllegalStateException("layer kind " + cl.kind() + " has weights here");
            }
        }
    }

    /** Per channel group: the parent's channels the child keeps. */
    private static Map<Integer, int[]> kept(NetworkBlock parent, Network cn, int[] group, Set<Integer> ordered) {
        Network pn = parent.network();
        Map<Integer, int[]> keep = new HashMap<>();
        for (Layer cl : cn.layers()) {
            Layer pl = pn.layers().get(cl.id());
            int g = group[cl.id()];
            if (!keep.containsKey(g)) {
                keep.put(g, select(pl.output().channels(), cl.output().channels(), ordered.contains(g) ? null
                        : () -> groupScores(parent, pn, group, g), cl));
            }
        }
        return keep;
    }

    private static void checkSameLayers(Network pn, Network cn) {
        if (pn.layers().size() != cn.layers().size()) {
            throw new IllegalArgumentException("cannot inherit weights: the parent has " + pn.layers().size()
                    + " layers, the child " + cn.layers().size());
        }
        for (Layer cl : cn.layers()) {
            Layer pl = pn.layers().get(cl.id());
            if (!pl.name().equals(cl.name()) || pl.kind() != cl.kind() || !pl.inputs().equals(cl.inputs())
                    || pl.kernel() != cl.kernel() || pl.stride() != cl.stride() || pl.bias() != cl.bias()) {
                throw new IllegalArgumentException("cannot inherit weights: layer " + cl.id() + " is " + describe(pl)
                        + " in the parent but " + describe(cl) + " in the child");
            }
            if (cl.kind() == LayerKind.CONCAT || cl.kind() == LayerKind.CHANNEL_SHUFFLE) {
                throw new IllegalArgumentException("cannot inherit weights through " + cl.kind().id() + " layer "
                        + cl.name());
            }
            if (cl.kind() == LayerKind.CONV2D && pl.isDepthwise() != cl.isDepthwise()) {
                throw new IllegalArgumentException("cannot inherit weights: " + cl.name()
                        + " is depthwise in only one network");
            }
        }
    }

    private static String describe(Layer l) {
        return l.name() + " (" + l.kind().id() + ", inputs " + l.inputs() + ", kernel " + l.kernel() + ", stride "
                + l.stride() + ")";
    }

    /** Per channel of a group: the summed squared norms of the filters writing it (non-depthwise convs). */
    private static double[] groupScores(NetworkBlock parent, Network pn, int[] group, int g) {
        double[] score = null;
        for (Layer l : pn.layers()) {
            if (group[l.id()] != g || l.kind() != LayerKind.CONV2D || l.isDepthwise()) {
                continue;
            }
            double[] s = filterScores(param(parent.layerBlock(l.id()), "weight"));
            if (score == null) {
                score = s;
            } else {
                for (int c = 0; c < s.length; c++) {
                    score[c] += s[c];
                }
            }
        }
        return score;
    }

    private static double[] filterScores(NDArray w) {
        long[] shape = w.getShape().getShape();
        float[] v = w.toFloatArray();
        int out = (int) shape[0];
        int per = v.length / out;
        double[] s = new double[out];
        for (int c = 0; c < out; c++) {
            for (int j = 0; j < per; j++) {
                double x = v[c * per + j];
                s[c] += x * x;
            }
        }
        return s;
    }

    /**
     * The {@code to} channels of {@code from} to keep, ascending: all when equal, else the best scored
     * (lower index on ties), or the first {@code to} when {@code scores} is null (channels ordered already);
     * scores that cannot be had (a group no convolution writes, e.g. the input) let none shrink.
     */
    private static int[] select(int from, int to, java.util.function.Supplier<double[]> scores, Layer where) {
        if (to > from) {
            throw new IllegalArgumentException("cannot inherit weights: " + where.name() + " has " + to
                    + " channels in the child but only " + from + " in the parent");
        }
        int[] all = new int[from];
        for (int i = 0; i < from; i++) {
            all[i] = i;
        }
        if (to == from) {
            return all;
        }
        if (scores == null) {
            return Arrays.copyOf(all, to);
        }
        double[] s = scores.get();
        if (s == null || s.length != from) {
            throw new IllegalArgumentException("cannot inherit weights: the channels of " + where.name()
                    + " shrink, but no convolution writes them");
        }
        Integer[] order = new Integer[from];
        for (int i = 0; i < from; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -s[i]).thenComparingInt(i -> i));
        int[] keep = new int[to];
        for (int i = 0; i < to; i++) {
            keep[i] = order[i];
        }
        Arrays.sort(keep);
        return keep;
    }

    /** Channel indices of a flattened (channels x spatial) dimension. */
    private static int[] expand(int[] channels, int spatial) {
        if (channels == null || spatial == 1) {
            return channels;
        }
        int[] out = new int[channels.length * spatial];
        for (int i = 0; i < channels.length; i++) {
            for (int j = 0; j < spatial; j++) {
                out[i * spatial + j] = channels[i] * spatial + j;
            }
        }
        return out;
    }

    private static NDArray param(Block b, String name) {
        for (var pair : b.getParameters()) {
            if (pair.getKey().equals(name)) {
                return pair.getValue().getArray();
            }
        }
        return null;
    }

    /** Copies a parameter, keeping {@code rows} of dimension 0 and {@code cols} of dimension 1 (null: all). */
    private static void copy(Block from, Block to, String name, int[] rows, int[] cols) {
        NDArray src = param(from, name);
        NDArray dst = param(to, name);
        if (src == null && dst == null) {
            return;
        }
        if (src == null || dst == null) {
            throw new IllegalArgumentException("cannot inherit weights: parameter " + name + " exists in one network only");
        }
        long[] ps = src.getShape().getShape();
        long[] cs = dst.getShape().getShape();
        int r = (int) ps[0];
        int c = ps.length > 1 ? (int) ps[1] : 1;
        int inner = (int) (Arrays.stream(ps).reduce(1, (a, b) -> a * b) / ((long) r * c));
        int[] keepRows = rows == null ? identity(r) : rows;
        int[] keepCols = cols == null || ps.length < 2 ? identity(c) : cols;
        long expected = (long) keepRows.length * keepCols.length * inner;
        if (expected != dst.size() || cs[0] != keepRows.length) {
            throw new IllegalArgumentException("cannot inherit weights: parameter " + name + " of shape "
                    + Arrays.toString(cs) + " does not match the parent's " + Arrays.toString(ps) + " sliced to "
                    + keepRows.length + " x " + keepCols.length);
        }
        float[] v = src.toFloatArray();
        float[] out = new float[(int) expected];
        int k = 0;
        for (int i : keepRows) {
            for (int j : keepCols) {
                System.arraycopy(v, (i * c + j) * inner, out, k, inner);
                k += inner;
            }
        }
        dst.set(FloatBuffer.wrap(out));
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
