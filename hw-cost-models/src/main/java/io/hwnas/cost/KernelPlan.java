package io.hwnas.cost;

import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.device.KernelClass;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A network compiled into the kernels a runtime launches: optional fusion of convolution, batch
 * norm and activation, zero layers ({@code none} edges) computed, left out of the sums that read them, or
 * constant-folded as graph optimisers such as TFLite's do ({@link ZeroLayers}), optional common subexpression
 * elimination, and equal kernels kept once with their count ({@link GraphRewrites}). Plans are cached
 * per network instance, so repeated estimates of one network cost only the arithmetic.
 */
public final class KernelPlan {

    private static final NetworkCache<KernelPlan> CACHE = new NetworkCache<>(4096);

    private final Kernel[] kernels;
    private final int[] counts;
    private final int[] occurrence;
    private final String[] names;
    private final LayerKind[] kinds;
    private final long params;
    private final long peakActivationElements;
    private final int weightedDepth;
    private final String hostFrom;

    private KernelPlan(Kernel[] kernels, int[] counts, int[] occurrence, String[] names, LayerKind[] kinds,
            long params, long peakActivationElements, int weightedDepth, String hostFrom) {
        this.hostFrom = hostFrom;
        this.kernels = kernels;
        this.counts = counts;
        this.occurrence = occurrence;
        this.names = names;
        this.kinds = kinds;
        this.params = params;
        this.peakActivationElements = peakActivationElements;
        this.weightedDepth = weightedDepth;
    }

    /** The plan of a network (cached per network instance). */
    public static KernelPlan of(Network network, GraphRewrites rewrites) {
        return of(network, rewrites, 0);
    }

    /**
     * The plan of a network whose kernels from layer {@code hostFrom} on run on the host CPU
     * ({@link Kernel#host()}; 0: none), as an Edge TPU runs every op after the first one it cannot
     * run on its host (cached per network instance and cut).
     */
    public static KernelPlan of(Network network, GraphRewrites rewrites, int hostFrom) {
        return CACHE.get(network, rewrites.key() + 12 * hostFrom, n -> compile(n, rewrites, true, hostFrom));
    }

    /** A plan without per-layer names (for calibration over thousands of networks); not cached. */
    public static KernelPlan compact(Network network, GraphRewrites rewrites) {
        return compact(network, rewrites, 0);
    }

    /** A compact plan whose kernels from layer {@code hostFrom} on run on the host (0: none). */
    public static KernelPlan compact(Network network, GraphRewrites rewrites, int hostFrom) {
        return compile(network, rewrites, false, hostFrom);
    }

    /** The name and kind of the layer from which every kernel runs on the host, or "" when none does. */
    public String hostFrom() {
        return hostFrom;
    }

    /** The distinct kernels. */
    public int distinct() {
        return kernels.length;
    }

    public Kernel kernel(int i) {
        return kernels[i];
    }

    /** How many times distinct kernel {@code i} runs. */
    public int count(int i) {
        return counts[i];
    }

    /** Kernels in execution order (0 for a compact plan). */
    public int occurrences() {
        return occurrence.length;
    }

    int kernelAt(int occ) {
        return occurrence[occ];
    }

    String nameAt(int occ) {
        return names[occ];
    }

    LayerKind kindAt(int occ) {
        return kinds[occ];
    }

    /** The names of the layers of each kernel in execution order (empty for a compact plan). */
    public List<String> names() {
        return names == null ? List.of() : List.of(names);
    }

    public long params() {
        return params;
    }

    /** Peak live activation elements per sample (sequential schedule of the whole network). */
    public long peakActivationElements() {
        return peakActivationElements;
    }

    /** Weighted layers (convolutions, linear) on the longest path: the pipeline depth. */
    public int weightedDepth() {
        return weightedDepth;
    }

    private static KernelPlan compile(Network network, GraphRewrites rewrites, boolean keepNames, int hostFrom) {
        List<Layer> layers = network.layers();
        int n = layers.size();
        boolean fuse = rewrites.fuse();
        boolean[] constant = rewrites.zeros() == ZeroLayers.SKIPPED_IN_SUMS ? network.zerosReadOnlyBySums()
                : constants(layers, rewrites.zeros() == ZeroLayers.FOLDED);
        boolean[] live = constant[n - 1] ? new boolean[n] : network.computedLayers(constant);
        int[] consumers = consumers(layers, live);
        boolean[] absorbed = new boolean[n];
        Builder b = new Builder(keepNames, hostFrom > 0 ? hostFrom : Integer.MAX_VALUE);
        int[] next = nextInChain(layers, live, consumers);
        boolean[] repeat = rewrites.cse() ? network.repeatedLayers(live, constant) : new boolean[n];
        for (int i = 1; i < n; i++) {
            Layer l = layers.get(i);
            if (!live[i] || absorbed[i] || repeat[i] || l.kind() == LayerKind.IDENTITY) {
                continue;
            }
            if (l.kind() == LayerKind.ADD || l.kind() == LayerKind.CONCAT) {
                int operands = 0;
                for (int in : l.inputs()) {
                    operands += constant[in] ? 0 : 1;
                }
                if (operands < 2) {
                    continue; // adding a folded constant (or leaving out a zero) is free
                }
                b.add(elementwise(l, operands, l.kind() == LayerKind.ADD ? operands - 1 : 0), l.name(), l.kind(), i);
            } else if (fuse && (l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR)) {
                fuseChain(layers, next, absorbed, i, b);
            } else {
                b.add(single(l), l.name(), l.kind(), i);
            }
        }
        long bits = layers.get(0).bits();
        long peak = (network.peakActivationBytes() * 8 + bits - 1) / bits;
        String cut = hostFrom > 0 && hostFrom < n
                ? layers.get(hostFrom).name() + " (" + layers.get(hostFrom).kind().id() + ")" : "";
        return b.build(network.params(), peak, weightedDepth(layers), cut);
    }

    /** With {@code foldZero}, the layers whose output is constant zero (a zero op, or all inputs constant). */
    private static boolean[] constants(List<Layer> layers, boolean foldZero) {
        int n = layers.size();
        boolean[] constant = new boolean[n];
        if (foldZero) {
            for (int i = 1; i < n; i++) {
                Layer l = layers.get(i);
                if (l.kind() == LayerKind.ZERO) {
                    constant[i] = true;
                } else {
                    boolean all = true;
                    for (int in : l.inputs()) {
                        all &= constant[in];
                    }
                    constant[i] = all;
                }
            }
        }
        return constant;
    }

    /** For each layer, how many live layers read it. */
    private static int[] consumers(List<Layer> layers, boolean[] live) {
        int[] consumers = new int[layers.size()];
        for (int i = 1; i < layers.size(); i++) {
            if (live[i]) {
                for (int in : layers.get(i).inputs()) {
                    consumers[in]++;
                }
            }
        }
        return consumers;
    }

    /** Adds the conv or linear layer {@code i} with the batch norms and activations that follow it in a chain. */
    private static void fuseChain(List<Layer> layers, int[] next, boolean[] absorbed, int i, Builder b) {
        Layer l = layers.get(i);
        Kernel k = single(l);
        String name = l.name();
        StringBuilder fused = new StringBuilder(b.keepNames ? l.name() : "");
        long extra = 0;
        long outElements = k.outElements();
        int j = next[i];
        int last = i;
        while (j > 0 && (layers.get(j).kind() == LayerKind.BATCH_NORM || layers.get(j).kind().isActivation())) {
            Layer f = layers.get(j);
            absorbed[j] = true;
            last = j;
            extra += opsPerElement(f.kind()) * f.output().elements();
            outElements = f.output().elements();
            if (b.keepNames) {
                fused.append('+').append(suffix(f.name()));
            }
            j = next[j];
        }
        if (extra > 0) {
            k = new Kernel(k.cls(), k.kind(), k.macs(), k.otherOps() + extra, k.inElements(), outElements,
                    k.params(), k.bits(), k.launches(), k.outPixels(), k.outChannels(), k.window(),
                    k.groups(), k.onArray(), k.activationBits());
            name = fused.toString();
        }
        b.add(k, name, l.kind(), last);
    }

    /** Collects the unique kernels of a plan, their counts and (with names) each occurrence in order. */
    private static final class Builder {
        final boolean keepNames;
        final Map<Kernel, Integer> index = new HashMap<>();
        final List<Kernel> unique = new ArrayList<>();
        final List<Integer> countList = new ArrayList<>();
        final List<Integer> occ = new ArrayList<>();
        final List<String> nameList = new ArrayList<>();
        final List<LayerKind> kindList = new ArrayList<>();

        final int hostFrom;

        Builder(boolean keepNames, int hostFrom) {
            this.keepNames = keepNames;
            this.hostFrom = hostFrom;
        }

        /** Adds a kernel whose last layer is {@code lastLayer}: on the host when that is at or after the cut. */
        void add(Kernel plain, String name, LayerKind kind, int lastLayer) {
            Kernel k = lastLayer >= hostFrom ? plain.onHost() : plain;
            Integer at = index.get(k);
            if (at == null) {
                at = unique.size();
                index.put(k, at);
                unique.add(k);
                countList.add(0);
            }
            countList.set(at, countList.get(at) + 1);
            if (keepNames) {
                occ.add(at);
                nameList.add(name);
                kindList.add(kind);
            }
        }

        KernelPlan build(long params, long peak, int depth, String hostFrom) {
            int[] counts = new int[countList.size()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = countList.get(i);
            }
            int[] occurrence = occ.stream().mapToInt(Integer::intValue).toArray();
            return new KernelPlan(unique.toArray(new Kernel[0]), counts, occurrence,
                    keepNames ? nameList.toArray(new String[0]) : new String[0],
                    keepNames ? kindList.toArray(new LayerKind[0]) : new LayerKind[0], params, peak, depth, hostFrom);
        }
    }

    /** For each layer, its only consumer when it has exactly one live consumer that reads only it; else 0. */
    private static int[] nextInChain(List<Layer> layers, boolean[] live, int[] consumers) {
        int[] next = new int[layers.size()];
        for (int i = 1; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (live[i] && l.inputs().size() == 1) {
                int src = l.inputs().get(0);
                if (consumers[src] == 1) {
                    next[src] = i;
                }
            }
        }
        return next;
    }

    private static String suffix(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(dot + 1);
    }

    private static int weightedDepth(List<Layer> layers) {
        int[] depth = new int[layers.size()];
        int best = 0;
        for (Layer l : layers) {
            int d = 0;
            for (int in : l.inputs()) {
                d = Math.max(d, depth[in]);
            }
            depth[l.id()] = d + (l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR ? 1 : 0);
            best = Math.max(best, depth[l.id()]);
        }
        return best;
    }

    static long opsPerElement(LayerKind kind) {
        return switch (kind) {
            case RELU, RELU6, ZERO -> 1;
            case BATCH_NORM -> 2;
            case HSWISH, SIGMOID -> 4;
            default -> 0;
        };
    }

    private static Kernel elementwise(Layer l, int operands, int adds) {
        long e = l.output().elements();
        return new Kernel(KernelClass.ELEMENTWISE, l.kind(), 0, adds * e, operands * e, e, 0, l.bits(),
                Math.max(1, adds), e, l.output().channels(), 1, 1, false, l.activationBits());
    }

    private static Kernel single(Layer l) {
        long in = l.input().elements();
        long out = l.output().elements();
        long pixels = (long) l.output().height() * l.output().width();
        int c = l.output().channels();
        switch (l.kind()) {
            case CONV2D: {
                KernelClass cls = l.isDepthwise() ? KernelClass.DEPTHWISE
                        : l.kernel() == 1 ? KernelClass.POINTWISE : KernelClass.DENSE;
                long window = (long) (l.input().channels() / l.groups()) * l.kernel() * l.kernel();
                return new Kernel(cls, l.kind(), l.macs(), 0, in, out, l.params(), l.bits(), 1, pixels, c, window,
                        l.groups(), true, l.activationBits());
            }
            case LINEAR:
                return new Kernel(KernelClass.LINEAR, l.kind(), l.macs(), 0, in, out, l.params(), l.bits(), 1, 1, c,
                        in, 1, true, l.activationBits());
            case AVG_POOL:
            case MAX_POOL:
                return new Kernel(KernelClass.POOL, l.kind(), 0, out * l.kernel() * l.kernel(), in, out, 0, l.bits(), 1,
                        pixels, c, (long) l.kernel() * l.kernel(), 1, false, l.activationBits());
            case GLOBAL_AVG_POOL:
                return new Kernel(KernelClass.POOL, l.kind(), 0, in, in, out, 0, l.bits(), 1, 1, c,
                        (long) l.input().height() * l.input().width(), 1, false, l.activationBits());
            case SQUEEZE_EXCITE:
                return new Kernel(KernelClass.ELEMENTWISE, l.kind(), l.macs(), 3 * in, 2 * in, out, l.params(),
                        l.bits(), 5, pixels, c, 1, 1, false, l.activationBits());
            default: // batch norm, activations, zero (x * 0), shuffle, concat
                return new Kernel(KernelClass.ELEMENTWISE, l.kind(), 0, opsPerElement(l.kind()) * out, in, out,
                        l.params(), l.bits(), 1, pixels, c, 1, 1, false, l.activationBits());
        }
    }
}
