package io.hwnas.core.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The layers of a network whose output channels can be pruned, grouped so that channels tied by an
 * element-wise add (a residual connection) are pruned together.
 *
 * <p>A producer is a layer that sets its output channel count: a plain (ungrouped) convolution or a
 * linear layer. Every other layer passes its input's channels through (a depthwise convolution
 * follows its input). The inputs of an {@code ADD} share one group. A group cannot be pruned when it
 * holds the network input, a concatenation or a grouped convolution, feeds a grouped convolution or a
 * channel shuffle, or is the network's output (the class count).
 */
public final class ChannelGroups {

    private ChannelGroups() {
    }

    /**
     * Each layer's output channel group: layers whose output channel counts must be equal (they pass a
     * producer's channels through, or meet in an element-wise add) share it; the group is named by its
     * smallest producer id.
     */
    public static int[] of(Network network) {
        return roots(network.layers(), owners(network.layers()));
    }

    /** The prunable groups, each the ascending ids of its producers, ordered by their first id. */
    public static List<List<Integer>> prunable(Network network) {
        List<Layer> layers = network.layers();
        int n = layers.size();
        int[] owner = owners(layers);
        int[] group = roots(layers, owner);
        boolean[] blocked = new boolean[n];
        for (int i = 0; i < n; i++) {
            Layer l = layers.get(i);
            if (owner[i] == i && !isProducer(l)) {
                blocked[group[i]] = true;
            }
            if (feedsGrouped(l)) {
                blocked[group[l.inputs().get(0)]] = true;
            }
        }
        blocked[group[n - 1]] = true;
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            if (owner[i] == i && isProducer(layers.get(i)) && !blocked[group[i]]) {
                groups.computeIfAbsent(group[i], k -> new ArrayList<>()).add(i);
            }
        }
        List<List<Integer>> out = new ArrayList<>(groups.values());
        out.sort((a, b) -> Integer.compare(a.get(0), b.get(0)));
        return out;
    }

    /** Per layer, the layer whose channel count its output carries. */
    private static int[] owners(List<Layer> layers) {
        int[] owner = new int[layers.size()];
        for (int i = 0; i < owner.length; i++) {
            owner[i] = ownerOf(layers.get(i), owner);
        }
        return owner;
    }

    /** Per layer, its owner's group after merging the owners an element-wise add joins (union-find). */
    private static int[] roots(List<Layer> layers, int[] owner) {
        int[] parent = new int[layers.size()];
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
        }
        for (Layer l : layers) {
            if (l.kind() == LayerKind.ADD) {
                for (int in : l.inputs()) {
                    union(parent, owner[l.inputs().get(0)], owner[in]);
                }
            }
        }
        int[] out = new int[parent.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = find(parent, owner[i]);
        }
        return out;
    }

    /** True for a layer that sets its own output channel count and may be pruned. */
    static boolean isProducer(Layer l) {
        return (l.kind() == LayerKind.CONV2D && l.groups() == 1) || l.kind() == LayerKind.LINEAR;
    }

    /** The layer whose channel count this layer's output carries. */
    private static int ownerOf(Layer l, int[] owner) {
        switch (l.kind()) {
            case INPUT:
            case CONCAT:
            case LINEAR:
                return l.id();
            case CONV2D:
                return l.isDepthwise() ? owner[l.inputs().get(0)] : l.id();
            default:
                return owner[l.inputs().get(0)];
        }
    }

    private static boolean feedsGrouped(Layer l) {
        return l.kind() == LayerKind.CHANNEL_SHUFFLE
                || (l.kind() == LayerKind.CONV2D && l.groups() > 1 && !l.isDepthwise());
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }
}
