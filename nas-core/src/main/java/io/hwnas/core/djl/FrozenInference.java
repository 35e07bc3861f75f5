package io.hwnas.core.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link NetworkBlock}'s forward pass in inference mode with its weights frozen, rewritten to do less work and
 * compute the same function (up to float rounding), as deployment runtimes do:
 * <ul>
 * <li>each convolution's weights are copied once, also laid out channels-last (which oneDNN would otherwise copy
 * them to on every pass), and a batch norm that follows a convolution read by nothing else is folded into it
 * (weights {@code W * gamma / sqrt(var + eps)}, bias {@code beta + (b - mean) * gamma / sqrt(var + eps)});
 * <li>a {@code zero} layer read only by sums that have another input is never computed, and its sums skip it (a
 * sum left with one input is that input); nor is a layer read only through such zeros ({@link
 * Network#computedLayers});
 * <li>identities, and an activation of an input that the same activation already read, are the earlier array;
 * <li>a sum with an operand that is a fresh convolution or sum result read by nothing else adds into it in place.
 * </ul>
 * Everything else runs as {@link NetworkBlock} runs it (same layouts, the same {@link ConvLayoutCheck} detours), and
 * every intermediate array is closed after its last reader. The weights are a snapshot: freeze again after
 * the weights change. Not for a block with a {@link MacHook} (fake quantisation), whose layers read their own weights.
 */
public final class FrozenInference implements AutoCloseable {

    /** The batch norms' epsilon ({@link NetworkBlock} builds them with it). */
    private static final float EPS = 1e-5f;

    private enum Op { COMPUTE, CONV, SUM }

    /** One step: {@code layer}'s output (or, folded, its batch norm's: {@code slot}) from the values of {@code inputs}. */
    private record Step(Op op, Layer layer, int slot, int[] inputs, boolean inPlace, NDArray weight,
            NDArray channelsLastWeight, NDArray bias) {

        Step(Op op, Layer layer, int slot, int[] inputs, boolean inPlace) {
            this(op, layer, slot, inputs, inPlace, null, null, null);
        }
    }

    private final NetworkBlock block;
    private final NDManager manager;
    private final List<Step> steps = new ArrayList<>();
    /** The layers whose value is each slot's array (the slot's own layer and its aliases). */
    private final int[][] aliases;
    /** How many step inputs (and the output) read each slot. */
    private final int[] reads;
    private final int output;

    private FrozenInference(NetworkBlock block) {
        this.block = block;
        this.manager = NDManager.newBaseManager();
        Network n = block.network();
        int size = n.layers().size();
        this.reads = new int[size];
        this.aliases = new int[size][];
        this.output = compile(n);
    }

    /**
     * Freezes {@code block}'s current weights.
     *
     * @throws IllegalArgumentException if the block has a {@link MacHook}
     */
    public static FrozenInference of(NetworkBlock block) {
        if (block.macHook() != null) {
            throw new IllegalArgumentException("a block with a MAC hook (fake quantisation) cannot be frozen");
        }
        FrozenInference f = new FrozenInference(block);
        try {
            Autograd.withoutGradients(() -> {
                f.foldWeights();
                return null;
            });
            return f;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Batch norms each folded into the convolution they follow: convolution layer id to batch norm layer id. */
    public static Map<Integer, Integer> foldableBatchNorms(Network n) {
        int[] consumers = n.consumers();
        Map<Integer, Integer> folds = new HashMap<>();
        for (Layer l : n.layers()) {
            if (l.kind() == LayerKind.BATCH_NORM && l.inputs().size() == 1) {
                Layer conv = n.layers().get(l.inputs().get(0));
                if (conv.kind() == LayerKind.CONV2D && consumers[conv.id()] == 1) {
                    folds.put(conv.id(), l.id());
                }
            }
        }
        return folds;
    }

    /** Builds the steps; returns the output's slot. */
    private int compile(Network n) {
        List<Layer> layers = n.layers();
        Map<Integer, Integer> folds = foldableBatchNorms(n);
        Map<Integer, Integer> foldedFrom = new HashMap<>();
        folds.forEach((conv, bn) -> foldedFrom.put(bn, conv));
        boolean[] skipped = n.zerosReadOnlyBySums();
        boolean[] computed = n.computedLayers(skipped);
        int[] rep = new int[layers.size()];
        Map<String, Integer> activations = new HashMap<>();
        for (int j = 1; j < layers.size(); j++) {
            Layer l = layers.get(j);
            int in = l.inputs().isEmpty() ? 0 : rep[l.inputs().get(0)];
            rep[j] = j;
            if (folds.containsKey(j) || skipped[j] || !computed[j]) {
                rep[j] = -1; // folded, or a zero the sums reading it leave out, or read only through such zeros
            } else if (l.kind() == LayerKind.CONV2D) {
                steps.add(new Step(Op.CONV, l, j, new int[] {in}, false));
            } else if (foldedFrom.containsKey(j)) {
                Layer conv = layers.get(foldedFrom.get(j));
                steps.add(new Step(Op.CONV, conv, j, new int[] {rep[conv.inputs().get(0)]}, false));
            } else if (l.kind() == LayerKind.IDENTITY) {
                rep[j] = in;
            } else if (l.kind() == LayerKind.ADD) {
                int[] terms = l.inputs().stream().mapToInt(i -> rep[i]).filter(i -> i >= 0).toArray();
                if (terms.length == 1) {
                    rep[j] = terms[0];
                } else {
                    steps.add(new Step(Op.SUM, l, j, terms, false));
                }
            } else if (l.kind().isActivation() && activations.containsKey(l.kind() + ":" + in)) {
                rep[j] = activations.get(l.kind() + ":" + in);
            } else {
                if (l.kind().isActivation()) {
                    activations.put(l.kind() + ":" + in, j);
                }
                steps.add(new Step(Op.COMPUTE, l, j,
                        l.inputs().stream().mapToInt(i -> rep[i]).toArray(), false));
            }
        }
        int out = rep[layers.size() - 1];
        countReads(out);
        markInPlaceSums();
        collectAliases(rep);
        return out;
    }

    private void countReads(int out) {
        for (Step s : steps) {
            for (int i : s.inputs()) {
                reads[i]++;
            }
        }
        reads[out]++;
    }

    /**
     * A sum adds into one of its operands when that is a fresh result (never a view) that only this sum reads; that
     * operand comes first.
     */
    private void markInPlaceSums() {
        boolean[] fresh = new boolean[reads.length];
        for (int k = 0; k < steps.size(); k++) {
            Step s = steps.get(k);
            LayerKind kind = s.layer().kind();
            fresh[s.slot()] = s.op() != Op.COMPUTE || kind == LayerKind.CONV2D || kind == LayerKind.BATCH_NORM;
            if (s.op() != Op.SUM) {
                continue;
            }
            int[] terms = s.inputs().clone();
            for (int t = 0; t < terms.length; t++) {
                if (fresh[terms[t]] && reads[terms[t]] == 1) {
                    terms[t] = terms[0];
                    terms[0] = s.inputs()[t];
                    steps.set(k, new Step(Op.SUM, s.layer(), s.slot(), terms, true));
                    break;
                }
            }
        }
    }

    private void collectAliases(int[] rep) {
        Map<Integer, List<Integer>> by = new HashMap<>();
        for (int j = 0; j < rep.length; j++) {
            if (rep[j] >= 0) {
                by.computeIfAbsent(rep[j], k -> new ArrayList<>()).add(j);
            }
        }
        by.forEach((slot, layers) -> aliases[slot] = layers.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Copies each convolution's weights and bias from the block's current parameters, with the batch norm after it
     * folded in where there is one (the parameters are lent to a scratch
     * manager meanwhile, so that the intermediate arrays close with it rather than stay in the block's manager).
     */
    private void foldWeights() {
        try (NDManager scratch = manager.newSubManager()) {
            for (int k = 0; k < steps.size(); k++) {
                Step s = steps.get(k);
                if (s.op() != Op.CONV) {
                    continue;
                }
                Map<String, NDArray> conv = params(block.layerBlock(s.layer().id()), scratch);
                NDArray weight;
                NDArray bias;
                if (s.slot() == s.layer().id()) { // no batch norm follows
                    weight = conv.get("weight").duplicate();
                    bias = conv.containsKey("bias") ? conv.get("bias").duplicate() : null;
                } else {
                    Map<String, NDArray> bn = params(block.layerBlock(s.slot()), scratch);
                    NDArray scale = bn.get("gamma").div(bn.get("runningVar").add(EPS).sqrt());
                    weight = conv.get("weight").mul(scale.reshape(-1, 1, 1, 1));
                    NDArray shift = conv.containsKey("bias") ? conv.get("bias").sub(bn.get("runningMean"))
                            : bn.get("runningMean").neg();
                    bias = shift.mul(scale).add(bn.get("beta"));
                }
                Layer layer = s.layer();
                KernelCrop crop = KernelCrop.of(layer);
                if (crop != null) { // only the weights that meet the image: the same output, a faster kernel
                    weight = MemoryFormats.toContiguous(crop.weight(weight));
                    layer = crop.layer(layer);
                }
                // laid out as oneDNN reads it beside channels-last activations (else copied on every pass)
                NDArray last = MemoryFormats.toChannelsLast(weight);
                weight.attach(manager);
                last.attach(manager);
                if (bias != null) {
                    bias.attach(manager);
                }
                steps.set(k, new Step(Op.CONV, layer, s.slot(), s.inputs(), false, weight, last, bias));
            }
        }
    }

    /** A block's parameter arrays by their last name part, each lent to {@code scratch} until it closes. */
    private static Map<String, NDArray> params(Block b, NDManager scratch) {
        Map<String, NDArray> out = new HashMap<>();
        for (var p : b.getParameters()) {
            NDArray a = p.getValue().getArray();
            a.tempAttach(scratch);
            String key = p.getKey();
            out.put(key.substring(key.lastIndexOf('_') + 1), a);
        }
        return out;
    }

    /** The logits (the network's output) of {@code input}, in the input's manager, with grad mode off. */
    public NDArray forward(NDArray input) {
        return Autograd.withoutGradients(() -> run(input));
    }

    private NDArray run(NDArray input) {
        NDArray[] values = new NDArray[aliases.length];
        IdentityHashMap<NDArray, Integer> pending = new IdentityHashMap<>();
        publish(0, block.channelsLast() ? MemoryFormats.toChannelsLast(input) : input, values, pending);
        ParameterStore store = new ParameterStore(input.getManager(), false);
        for (Step s : steps) {
            NDArray out = compute(s, values, store);
            publish(s.slot(), out, values, pending);
            for (int i : s.inputs()) {
                NDArray v = values[i];
                if (pending.merge(v, -1, Integer::sum) == 0 && v != out && v != input) {
                    v.close();
                }
            }
        }
        return values[output];
    }

    private void publish(int slot, NDArray value, NDArray[] values, IdentityHashMap<NDArray, Integer> pending) {
        values[slot] = value;
        if (aliases[slot] != null) {
            for (int j : aliases[slot]) {
                values[j] = value;
            }
        }
        pending.merge(value, reads[slot], Integer::sum);
    }

    private NDArray compute(Step s, NDArray[] values, ParameterStore store) {
        switch (s.op()) {
            case CONV:
                return foldedConv(s, values[s.inputs()[0]]);
            case SUM: {
                NDArray sum = s.inPlace() ? values[s.inputs()[0]] : values[s.inputs()[0]].add(values[s.inputs()[1]]);
                for (int k = s.inPlace() ? 1 : 2; k < s.inputs().length; k++) {
                    sum = sum.addi(values[s.inputs()[k]]);
                }
                return sum;
            }
            default:
                return block.compute(s.layer(), values[s.inputs()[0]], values, store, false, null);
        }
    }

    /** The convolution with its batch norm folded in, on a contiguous copy where {@link ConvLayoutCheck} says so. */
    private NDArray foldedConv(Step s, NDArray x) {
        Layer l = s.layer();
        Shape stride = new Shape(l.stride(), l.stride());
        Shape padding = new Shape(l.padding(), l.padding());
        Shape dilation = new Shape(1, 1);
        if (!block.channelsLast()) {
            return Conv2d.conv2d(x, s.weight(), s.bias(), stride, padding, dilation, l.groups()).singletonOrThrow();
        }
        boolean agrees = ConvLayoutCheck.channelsLastAgrees(l, x);
        NDArray w = agrees ? s.channelsLastWeight() : s.weight();
        return MemoryFormats.convolveIn(l, x, !agrees,
                in -> Conv2d.conv2d(in, w, s.bias(), stride, padding, dilation, l.groups()).singletonOrThrow());
    }

    @Override
    public void close() {
        manager.close();
    }
}
