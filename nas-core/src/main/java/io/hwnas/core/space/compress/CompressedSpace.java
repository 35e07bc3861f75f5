package io.hwnas.core.space.compress;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Compression;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.ArchitectureFormatException;
import io.hwnas.core.space.InvalidArchitectureException;
import io.hwnas.core.space.SearchSpace;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any search space with per-layer compression decisions appended to its decision vector: for each
 * layer with MACs (convolutions, linear layers) a weight-bits and an activation-bits choice, and for
 * each prunable channel group ({@link io.hwnas.core.ir.ChannelGroups}, residual-tied channels
 * together) a pruning ratio. The space keeps its base's name; its strings are the base string, then
 * {@code #q=} with {@code wbits/abits} per MAC layer and {@code #p=} with the percent pruned per
 * group, e.g. {@code ...#q=8/8,4/8,8/32#p=0,25}.
 *
 * <p>The slot counts are the most MAC layers and groups of the base space's probe architectures
 * (every position at its first, at its last choice, and 64 seeded samples); a network with more
 * shares the last slot among the rest. Slots a network does not reach are inactive (0 in the vector).
 */
public final class CompressedSpace implements SearchSpace {

    /** The key of the space option that holds the compression section. */
    public static final String OPTION = "compression";

    private final SearchSpace base;
    private final CompressionOptions opts;
    private final int baseLength;
    private final int qSlots;
    private final int pSlots;
    private static final int LAYOUT_CACHE = 256;
    private final Map<Architecture, Slots.Layout> layouts = new java.util.concurrent.ConcurrentHashMap<>();

    public CompressedSpace(SearchSpace base, CompressionOptions opts) {
        this.base = base;
        this.opts = opts;
        this.baseLength = base.choices().length;
        int[] slots = Slots.probe(base);
        this.qSlots = Math.max(1, slots[0]);
        this.pSlots = slots[1];
    }

    public SearchSpace base() {
        return base;
    }

    public CompressionOptions compression() {
        return opts;
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public String description() {
        return base.description() + "; with per-layer weight bits " + opts.weightBits() + ", activation bits "
                + opts.activationBits() + " and pruning " + opts.prune() + "% per channel group";
    }

    @Override
    public int[] choices() {
        int[] c = Arrays.copyOf(base.choices(), baseLength + 2 * qSlots + pSlots);
        for (int j = 0; j < qSlots; j++) {
            c[baseLength + 2 * j] = opts.weightBits().size();
            c[baseLength + 2 * j + 1] = opts.activationBits().size();
        }
        for (int k = 0; k < pSlots; k++) {
            c[baseLength + 2 * qSlots + k] = opts.prune().size();
        }
        return c;
    }

    @Override
    public List<String> positions() {
        List<String> names = new ArrayList<>(base.positions());
        for (int j = 0; j < qSlots; j++) {
            names.add("q" + j + ".wbits");
            names.add("q" + j + ".abits");
        }
        for (int k = 0; k < pSlots; k++) {
            names.add("p" + k + ".prune");
        }
        return names;
    }

    @Override
    public BigInteger size() {
        BigInteger perQ = BigInteger.valueOf((long) opts.weightBits().size() * opts.activationBits().size());
        return base.size().multiply(perQ.pow(qSlots)).multiply(BigInteger.valueOf(opts.prune().size()).pow(pSlots));
    }

    @Override
    public Architecture parse(String text) {
        int at = text.lastIndexOf("#q=");
        if (at < 0) {
            return decode(uncompressed(base.parse(text), text));
        }
        Architecture b = base.parse(text.substring(0, at));
        Slots.Layout layout = layout(b);
        int[] v = Arrays.copyOf(b.vectorArray(), choices().length);
        new SuffixParser(name(), text, at, opts).read(v, baseLength, qSlots, activeQ(layout), activeP(layout));
        return decode(v);
    }

    private int[] uncompressed(Architecture b, String text) {
        int w = opts.weightBits().indexOf(32);
        int a = opts.activationBits().indexOf(32);
        int p = opts.prune().indexOf(0);
        if (w < 0 || a < 0 || p < 0) {
            throw new ArchitectureFormatException(name(), text, text.length(),
                    "a compression suffix (#q=...#p=...) is required: 32 bits or 0 pruning is not a choice here");
        }
        int[] v = Arrays.copyOf(b.vectorArray(), choices().length);
        for (int j = 0; j < qSlots; j++) {
            v[baseLength + 2 * j] = w;
            v[baseLength + 2 * j + 1] = a;
        }
        Arrays.fill(v, baseLength + 2 * qSlots, v.length, p);
        return v;
    }

    /**
     * The vector with every pruning decision at the smallest listed ratio (its first choice, normally 0%)
     * and everything else as it is: where a joint search can start, so that its first architectures are
     * whole and pruning enters by mutation and crossover.
     */
    public int[] unpruned(int[] vector) {
        int[] v = vector.clone();
        Arrays.fill(v, baseLength + 2 * qSlots, v.length, 0);
        return v;
    }

    /**
     * The vector with every pruning decision one listed ratio further in {@code direction} (+1 more
     * pruned, -1 less), each held at the first or last ratio, and everything else as it is: a move
     * of the whole network's pruning at once, which per-position mutation reaches only in many steps.
     * When no decision can move that way, the other direction is taken; a space with one ratio gives
     * the vector back unchanged.
     */
    public int[] prunedStep(int[] vector, int direction) {
        if (direction != 1 && direction != -1) {
            throw new IllegalArgumentException("direction must be +1 or -1, but was " + direction);
        }
        int last = opts.prune().size() - 1;
        int from = baseLength + 2 * qSlots;
        int[] prefix = Arrays.copyOf(vector, baseLength);
        int to = base.violations(prefix).isEmpty()
                ? from + activeP(layout(base.decode(prefix))) : vector.length; // slots the network reaches
        boolean movable = false;
        for (int i = from; i < to; i++) {
            movable |= direction > 0 ? vector[i] < last : vector[i] > 0;
        }
        int d = movable ? direction : -direction;
        int[] v = vector.clone();
        for (int i = from; i < to; i++) {
            v[i] = Math.max(0, Math.min(last, v[i] + d));
        }
        return v;
    }

    @Override
    public List<String> violations(int[] vector) {
        int[] c = choices();
        if (vector.length != c.length) {
            return List.of("the vector has " + vector.length + " positions, but the space has " + c.length);
        }
        List<String> bad = new ArrayList<>(base.violations(Arrays.copyOf(vector, baseLength)));
        List<String> names = positions();
        for (int i = baseLength; i < c.length; i++) {
            if (vector[i] < 0 || vector[i] >= c[i]) {
                bad.add(names.get(i) + " = " + vector[i] + " is outside 0.." + (c[i] - 1));
            }
        }
        return bad;
    }

    @Override
    public Architecture decode(int[] vector) {
        List<String> bad = violations(vector);
        if (!bad.isEmpty()) {
            throw new InvalidArchitectureException(Arrays.toString(vector), bad);
        }
        Architecture b = base.decode(Arrays.copyOf(vector, baseLength));
        Slots.Layout layout = layout(b);
        int[] v = Arrays.copyOf(b.vectorArray(), vector.length);
        int q = activeQ(layout);
        int p = activeP(layout);
        System.arraycopy(vector, baseLength, v, baseLength, 2 * q);
        System.arraycopy(vector, baseLength + 2 * qSlots, v, baseLength + 2 * qSlots, p);
        return Architecture.of(name(), v, b.canonical() + suffix(v, q, p));
    }

    private String suffix(int[] v, int q, int p) {
        StringBuilder s = new StringBuilder("#q=");
        for (int j = 0; j < q; j++) {
            s.append(j == 0 ? "" : ",").append(opts.weightBits().get(v[baseLength + 2 * j])).append('/')
                    .append(opts.activationBits().get(v[baseLength + 2 * j + 1]));
        }
        s.append("#p=");
        for (int k = 0; k < p; k++) {
            s.append(k == 0 ? "" : ",").append(opts.prune().get(v[baseLength + 2 * qSlots + k]));
        }
        return s.toString();
    }

    /** The layout of a base architecture, remembered (decoding a vector needs it, and strategies decode many). */
    private Slots.Layout layout(Architecture b) {
        Slots.Layout l = layouts.get(b);
        if (l == null) {
            if (layouts.size() >= LAYOUT_CACHE) {
                layouts.clear();
            }
            l = Slots.layout(base, b);
            layouts.put(b, l);
        }
        return l;
    }

    private int activeQ(Slots.Layout layout) {
        return Math.min(layout.macLayers().size(), qSlots);
    }

    private int activeP(Slots.Layout layout) {
        return Math.min(layout.groups().size(), pSlots);
    }

    /** The architecture of the base space inside a compressed one. */
    public Architecture baseArchitecture(Architecture architecture) {
        requireOwn(architecture);
        return base.decode(Arrays.copyOf(architecture.vectorArray(), baseLength));
    }

    /**
     * Where the compression decisions of {@code architecture}'s base network sit in the vector, in
     * layer order (see {@link CompressionSlots}).
     */
    public CompressionSlots slots(Architecture architecture) {
        Network net = base.network(baseArchitecture(architecture));
        Slots.Layout layout = Slots.layout(net);
        List<Integer> mac = layout.macLayers();
        int q = activeQ(layout);
        List<CompressionSlots.LayerSlot> layers = new ArrayList<>();
        for (int j = 0; j < q; j++) {
            io.hwnas.core.ir.Layer l = net.layers().get(mac.get(j));
            long macs = 0;
            for (int i = j; i < (j == q - 1 ? mac.size() : j + 1); i++) {
                macs += net.layers().get(mac.get(i)).macs();
            }
            boolean conv = l.kind() == io.hwnas.core.ir.LayerKind.CONV2D;
            layers.add(new CompressionSlots.LayerSlot(l.name(), baseLength + 2 * j, baseLength + 2 * j + 1,
                    l.inputShapes().get(0).channels(), l.output().channels(), conv ? l.kernel() : 1,
                    conv ? l.stride() : 1, conv && l.groups() > 1, macs));
        }
        List<CompressionSlots.GroupSlot> groups = new ArrayList<>();
        for (int k = 0; k < activeP(layout); k++) {
            List<Integer> g = layout.groups().get(k);
            int first = mac.indexOf(g.get(0));
            List<String> names = g.stream().map(id -> net.layers().get(id).name()).toList();
            groups.add(new CompressionSlots.GroupSlot(baseLength + 2 * qSlots + k, Math.min(Math.max(first, 0), q - 1),
                    net.layers().get(g.get(0)).output().channels(), names));
        }
        return new CompressionSlots(baseLength, layers, groups);
    }

    @Override
    public Shape defaultInput() {
        return base.defaultInput();
    }

    @Override
    public int defaultClasses() {
        return base.defaultClasses();
    }

    @Override
    public Network network(Architecture architecture, Shape input, int classes) {
        int[] v = buildableVector(architecture, classes);
        Network net = base.network(base.decode(Arrays.copyOf(v, baseLength)), input, classes);
        return compression(v, net).apply(net);
    }

    /** The per-layer compression a vector gives a base network. */
    Compression compression(int[] v, Network net) {
        Slots.Layout layout = Slots.layout(net);
        int n = net.layers().size();
        int[] w = new int[n];
        int[] a = new int[n];
        int[] kept = new int[n];
        List<Integer> mac = layout.macLayers();
        for (int i = 0; i < mac.size(); i++) {
            int slot = Math.min(i, qSlots - 1);
            w[mac.get(i)] = opts.weightBits().get(v[baseLength + 2 * slot]);
            a[mac.get(i)] = opts.activationBits().get(v[baseLength + 2 * slot + 1]);
        }
        for (int k = 0; k < Math.min(layout.groups().size(), pSlots); k++) {
            int pct = opts.prune().get(v[baseLength + 2 * qSlots + k]);
            for (int id : layout.groups().get(k)) {
                int c = net.layers().get(id).output().channels();
                kept[id] = Math.max(1, (int) Math.round(c * (100 - pct) / 100.0));
            }
        }
        return new Compression(w, a, kept);
    }

    @Override
    public Map<String, Object> options() {
        Map<String, Object> m = new LinkedHashMap<>(base.options());
        m.put(OPTION, opts.toMap());
        return m;
    }

    @Override
    public SearchSpace withOptions(Map<String, ?> options) {
        Map<String, Object> rest = new LinkedHashMap<>(options);
        Object section = rest.remove(OPTION);
        SearchSpace b = rest.isEmpty() ? base : base.withOptions(rest);
        return new CompressedSpace(b, section == null ? opts : CompressionOptions.parse(section));
    }
}
