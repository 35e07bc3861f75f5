package io.hwnas.core.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Orders the hidden channels of every MBConv block of a supernet by importance, as OFA does before it shrinks
 * the expansion ratio: a channel's importance is the L1 norm of the projection weights that read it (OFA's
 * {@code re_organize_middle_weights}). The projection is the right place to measure: the expansion conv is
 * followed by batch norm, which rescales each channel and so makes the norm of its expansion filter say little
 * about how much the block's output depends on it. The same permutation is applied to every tensor that
 * writes or reads the hidden channels (expansion conv and batch norm, depthwise conv and batch norm, the
 * squeeze-excite gates, the projection's inputs), so the largest subnet computes exactly what it did; the
 * squeeze-excite hidden units are ordered likewise by the L1 norm of the weights that read them.
 */
final class ChannelSorter {

    private final NetworkBlock weights;
    private final ElasticWeights elastic;

    ChannelSorter(NetworkBlock weights, ElasticWeights elastic) {
        this.weights = weights;
        this.elastic = elastic;
    }

    /** Sorts every block that has an expansion conv. */
    void sortAll() {
        Network n = weights.network();
        for (Layer l : n.layers()) {
            if (l.name().endsWith(".expand.conv")) {
                sortBlock(n, l.name().substring(0, l.name().length() - ".expand.conv".length()));
            }
        }
    }

    /** The L1 importance of the hidden channels of block {@code prefix}, as the block's weights stand. */
    double[] importance(String prefix) {
        return columnL1(param(weights.network(), prefix + ".project.conv", "weight"));
    }

    private void sortBlock(Network n, String prefix) {
        int[] order = descending(importance(prefix));
        permute(param(n, prefix + ".expand.conv", "weight"), order, 0);
        for (String name : List.of("gamma", "beta", "runningMean", "runningVar")) {
            permute(param(n, prefix + ".expand.bn", name), order, 0);
            permute(param(n, prefix + ".dw.bn", name), order, 0);
        }
        permute(param(n, prefix + ".dw.conv", "weight"), order, 0);
        permute(param(n, prefix + ".project.conv", "weight"), order, 1);
        if (has(n, prefix + ".se")) {
            permute(param(n, prefix + ".se", "reduce_weight"), order, 1);
            permute(param(n, prefix + ".se", "expand_weight"), order, 0);
            permute(param(n, prefix + ".se", "expand_bias"), order, 0);
            int[] hidden = descending(columnL1(param(n, prefix + ".se", "expand_weight")));
            permute(param(n, prefix + ".se", "reduce_weight"), hidden, 0);
            permute(param(n, prefix + ".se", "reduce_bias"), hidden, 0);
            permute(param(n, prefix + ".se", "expand_weight"), hidden, 1);
        }
    }

    private static boolean has(Network n, String layer) {
        return n.layers().stream().anyMatch(l -> l.name().equals(layer));
    }

    private NDArray param(Network n, String layer, String name) {
        Map<String, Parameter> p = elastic.supernetParams(n.layer(layer));
        Parameter value = p.get(name);
        if (value == null) {
            throw new IllegalStateException("layer " + layer + " has no parameter " + name + " (has " + p.keySet() + ")");
        }
        return value.getArray();
    }

    /** Per index of dimension 1, the sum of absolute values over every other dimension. */
    static double[] columnL1(NDArray w) {
        long[] s = w.getShape().getShape();
        int rows = (int) s[0];
        int cols = (int) s[1];
        int inner = (int) (w.getShape().size() / ((long) rows * cols));
        float[] v = w.toFloatArray();
        double[] out = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                for (int k = 0; k < inner; k++) {
                    out[c] += Math.abs(v[(r * cols + c) * inner + k]);
                }
            }
        }
        return out;
    }

    /** Indices by descending score, lower index first on ties. */
    static int[] descending(double[] score) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** Reorders dimension {@code dim} (0 or 1) of an array in place: new index i holds old index order[i]. */
    static void permute(NDArray a, int[] order, int dim) {
        long[] s = a.getShape().getShape();
        int rows = (int) s[0];
        int cols = s.length > 1 ? (int) s[1] : 1;
        int inner = (int) (a.getShape().size() / ((long) rows * cols));
        float[] v = a.toFloatArray();
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int from = dim == 0 ? (order[r] * cols + c) : (r * cols + order[c]);
                System.arraycopy(v, from * inner, out, (r * cols + c) * inner, inner);
            }
        }
        a.set(FloatBuffer.wrap(out));
    }
}
