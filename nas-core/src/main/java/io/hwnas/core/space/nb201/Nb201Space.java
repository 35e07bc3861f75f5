package io.hwnas.core.space.nb201;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.ArchitectureFormatException;
import io.hwnas.core.space.InvalidArchitectureException;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NAS-Bench-201: one cell of 4 nodes and 6 edges, 5 ops per edge (15,625 cells), stacked in the
 * benchmark's CIFAR macro network. By default every edge runs as in the reference implementation
 * ({@code none} multiplies by zero), because the published tables were measured that way; with the
 * option {@code prune: true} dead edges and ops off every input-to-output path are dropped.
 */
public final class Nb201Space implements SearchSpace {

    /** The edge ops in the order of the decision vector's choice indices. */
    public static final List<String> OPS =
            List.of("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3");

    /** Source and destination node of every edge, in the order of the canonical string. */
    static final int[][] EDGES = {{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}};

    private static final int[] STAGE_CHANNELS = {16, 32, 64};
    private static final int CELLS_PER_STAGE = 5;

    private final boolean prune;

    public Nb201Space() {
        this(false);
    }

    private Nb201Space(boolean prune) {
        this.prune = prune;
    }

    @Override
    public String name() {
        return "nb201";
    }

    @Override
    public String description() {
        return "NAS-Bench-201 cell space: 6 edges x 5 ops, 15,625 cells in the CIFAR ResNet-like macro network"
                + (prune ? " (pruned)" : "");
    }

    public boolean pruned() {
        return prune;
    }

    @Override
    public int[] choices() {
        int[] c = new int[EDGES.length];
        Arrays.fill(c, OPS.size());
        return c;
    }

    @Override
    public List<String> positions() {
        List<String> names = new ArrayList<>();
        for (int[] e : EDGES) {
            names.add("edge(" + e[0] + "-" + e[1] + ")");
        }
        return names;
    }

    @Override
    public BigInteger size() {
        return BigInteger.valueOf(OPS.size()).pow(EDGES.length);
    }

    @Override
    public Architecture parse(String text) {
        String t = text.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            return fromIndex(t);
        }
        int[] v = new int[EDGES.length];
        int pos = 0;
        int edge = 0;
        for (int node = 1; node <= 3; node++) {
            if (node > 1) {
                pos = expect(t, pos, '+', "'+' between node groups");
            }
            pos = expect(t, pos, '|', "'|' opening the inputs of node " + node);
            for (int src = 0; src < node; src++) {
                int tilde = t.indexOf('~', pos);
                int bar = t.indexOf('|', pos);
                if (tilde < 0 || (bar >= 0 && bar < tilde)) {
                    throw new ArchitectureFormatException(name(), text, pos,
                            "expected 'op~" + src + "' for the edge " + src + "->" + node);
                }
                String op = t.substring(pos, tilde);
                int k = OPS.indexOf(op);
                if (k < 0) {
                    throw new ArchitectureFormatException(name(), text, pos,
                            "unknown op '" + op + "'; expected one of " + OPS);
                }
                int end = bar < 0 ? t.length() : bar;
                String srcText = t.substring(tilde + 1, end);
                if (!srcText.equals(Integer.toString(src))) {
                    throw new ArchitectureFormatException(name(), text, tilde + 1,
                            "the " + (src + 1) + ". input of node " + node + " must come from node " + src
                                    + ", but was '" + srcText + "'");
                }
                v[edge++] = k;
                pos = expect(t, end, '|', "'|' after the edge " + src + "->" + node);
            }
        }
        if (pos != t.length()) {
            throw new ArchitectureFormatException(name(), text, pos, "unexpected trailing text '" + t.substring(pos)
                    + "'");
        }
        return decode(v);
    }

    private Architecture fromIndex(String text) {
        int index;
        try {
            index = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0 || index >= Nb201Index.SIZE) {
            throw new ArchitectureFormatException(name(), text, 0,
                    "an NB201 index must be in 0.." + (Nb201Index.SIZE - 1));
        }
        return parse(Nb201Index.archString(index));
    }

    private int expect(String text, int pos, char c, String what) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw new ArchitectureFormatException(name(), text, pos, "expected " + what
                    + (pos < text.length() ? ", but found '" + text.charAt(pos) + "'" : ", but the text ended"));
        }
        return pos + 1;
    }

    @Override
    public List<String> violations(int[] vector) {
        List<String> out = new ArrayList<>();
        if (vector.length != EDGES.length) {
            out.add("the decision vector must have " + EDGES.length + " positions, but had " + vector.length);
            return out;
        }
        for (int i = 0; i < vector.length; i++) {
            if (vector[i] < 0 || vector[i] >= OPS.size()) {
                out.add("position " + i + " (" + positions().get(i) + ") = " + vector[i] + " must be in 0.."
                        + (OPS.size() - 1));
            }
        }
        return out;
    }

    @Override
    public Architecture decode(int[] vector) {
        List<String> v = violations(vector);
        if (!v.isEmpty()) {
            throw new InvalidArchitectureException(Arrays.toString(vector), v);
        }
        return Architecture.of(name(), vector, canonical(vector));
    }

    static String canonical(int[] v) {
        StringBuilder sb = new StringBuilder();
        int edge = 0;
        for (int node = 1; node <= 3; node++) {
            if (node > 1) {
                sb.append('+');
            }
            sb.append('|');
            for (int src = 0; src < node; src++) {
                sb.append(OPS.get(v[edge++])).append('~').append(src).append('|');
            }
        }
        return sb.toString();
    }

    /** The official NAS-Bench-201 index of an architecture. */
    public int index(Architecture architecture) {
        requireOwn(architecture);
        return Nb201Index.index(architecture.canonical());
    }

    @Override
    public Shape defaultInput() {
        return new Shape(3, 32, 32);
    }

    @Override
    public int defaultClasses() {
        return 10;
    }

    @Override
    public Network network(Architecture architecture, Shape input, int classes) {
        int[] v = buildableVector(architecture, classes);
        if (input.height() < 4 || input.width() < 4) {
            throw new IllegalArgumentException(
                    "nb201 needs an input of at least 4x4 pixels (two stride-2 reductions), but got " + input);
        }
        Network full = build(v, input, classes, false);
        return prune ? build(v, input, classes, true).withDeclaredParams(full.params()) : full;
    }

    private static Network build(int[] v, Shape input, int classes, boolean prune) {
        NetworkBuilder b = new NetworkBuilder(input);
        int x = b.conv("stem.conv", b.input(), STAGE_CHANNELS[0], 3, 1, 1, 1, false);
        x = b.batchNorm("stem.bn", x);
        boolean[] live = prune ? liveEdges(v) : allEdges(v);
        for (int s = 0; s < STAGE_CHANNELS.length; s++) {
            int c = STAGE_CHANNELS[s];
            if (s > 0) {
                x = resBlock(b, "reduce" + s, x, c);
            }
            for (int k = 0; k < CELLS_PER_STAGE; k++) {
                x = cell(b, "stage" + (s + 1) + ".cell" + k, x, v, live);
            }
        }
        x = b.batchNorm("head.bn", x);
        x = b.relu("head.relu", x);
        x = b.globalAvgPool("head.pool", x);
        b.linear("head.classifier", x, classes, true);
        return b.build();
    }

    private static boolean[] allEdges(int[] v) {
        boolean[] live = new boolean[v.length];
        Arrays.fill(live, true);
        return live;
    }

    /** Edges that are not {@code none} and lie on a path from node 0 to node 3. */
    static boolean[] liveEdges(int[] v) {
        boolean[] fwd = new boolean[4];
        fwd[0] = true;
        for (int e = 0; e < EDGES.length; e++) { // edges are ordered by destination
            if (v[e] != 0 && fwd[EDGES[e][0]]) {
                fwd[EDGES[e][1]] = true;
            }
        }
        boolean[] bwd = new boolean[4];
        bwd[3] = true;
        for (int e = EDGES.length - 1; e >= 0; e--) {
            if (v[e] != 0 && bwd[EDGES[e][1]]) {
                bwd[EDGES[e][0]] = true;
            }
        }
        boolean[] live = new boolean[EDGES.length];
        for (int e = 0; e < EDGES.length; e++) {
            live[e] = v[e] != 0 && fwd[EDGES[e][0]] && bwd[EDGES[e][1]];
        }
        return live;
    }

    private static int cell(NetworkBuilder b, String name, int input, int[] v, boolean[] live) {
        int[] nodes = new int[4];
        Arrays.fill(nodes, -1);
        nodes[0] = input;
        for (int node = 1; node <= 3; node++) {
            List<Integer> terms = new ArrayList<>();
            for (int e = 0; e < EDGES.length; e++) {
                if (EDGES[e][1] != node || !live[e] || nodes[EDGES[e][0]] < 0) {
                    continue;
                }
                int src = nodes[EDGES[e][0]];
                String edge = name + ".edge(" + EDGES[e][0] + "-" + node + ")";
                terms.add(edgeOp(b, edge, src, v[e]));
            }
            if (terms.size() == 1) {
                nodes[node] = terms.get(0);
            } else if (terms.size() > 1) {
                nodes[node] = b.add(name + ".node" + node, terms);
            }
        }
        // a pruned cell whose output is cut off from its input outputs zeros, as the reference does
        return nodes[3] >= 0 ? nodes[3] : b.zero(name + ".zero", input);
    }

    private static int edgeOp(NetworkBuilder b, String name, int src, int op) {
        int c = b.shape(src).channels();
        switch (op) {
            case 0:
                return b.zero(name + ".zero", src);
            case 1:
                return src;
            case 2:
            case 3: {
                int k = op == 2 ? 1 : 3;
                int y = b.relu(name + ".relu", src);
                y = b.conv(name + ".conv", y, c, k, 1, k / 2, 1, false);
                return b.batchNorm(name + ".bn", y);
            }
            case 4:
                return b.avgPool(name + ".pool", src, 3, 1, 1);
            default:
                throw new IllegalArgumentException("op index " + op);
        }
    }

    private static int resBlock(NetworkBuilder b, String name, int x, int c) {
        int a = b.relu(name + ".a.relu", x);
        a = b.conv(name + ".a.conv", a, c, 3, 2, 1, 1, false);
        a = b.batchNorm(name + ".a.bn", a);
        a = b.relu(name + ".b.relu", a);
        a = b.conv(name + ".b.conv", a, c, 3, 1, 1, 1, false);
        a = b.batchNorm(name + ".b.bn", a);
        int d = b.avgPool(name + ".shortcut.pool", x, 2, 2, 0);
        d = b.conv(name + ".shortcut.conv", d, c, 1, 1, 0, 1, false);
        return b.add(name + ".add", List.of(d, a));
    }

    @Override
    public Map<String, Object> options() {
        return Options.ordered("prune", prune);
    }

    @Override
    public SearchSpace withOptions(Map<String, ?> options) {
        Options o = new Options("search space nb201", options, Set.of("prune"));
        return new Nb201Space(o.bool("prune", prune));
    }
}
