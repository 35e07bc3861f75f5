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

    /** The prunable groups, each the ascending ids of its producers, ordered by their first id. */
    public static List<List<Integer>> prunable(Network network) {
        List<Layer> layers = network.layers();
        int n = layers.size();
        int[] parent = new int[n];
        int[] owner = new int[n];
        boolean[] blocked = new boolean[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
            owner[i] = ownerOf(layers.get(i), owner);
            if (owner[i] == i && !isProducer(layers.get(i))) {
                blocked[i] = true;
            }
        }
        for (Layer l : layers) {
            if (l.kind() == LayerKind.ADD) {
                for (int in : l.inputs()) {
                    union(parent, owner[l.inputs().get(0)], owner[in]);
                }
            }
            if (feedsGrouped(l)) {
                blocked[owner[l.inputs().get(0)]] = true;
            }
        }
        blocked[owner[n - 1]] = true;
        boolean[] rootBlocked = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (blocked[i]) {
                rootBlocked[find(parent, i)] = true;
            }
        }
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            if (owner[i] == i && isProducer(layers.get(i)) && !rootBlocked[find(parent, i)]) {
                groups.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
            }
        }
        List<List<Integer>> out = new ArrayList<>(groups.values());
        out.sort((a, b) -> Integer.compare(a.get(0), b.get(0)));
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
