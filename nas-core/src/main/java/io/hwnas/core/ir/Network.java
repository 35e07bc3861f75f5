package io.hwnas.core.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The intermediate representation every consumer reads: layers in topological order, layer 0 the
 * input, the last layer the output.
 *
 * @param layers         the layers, {@code layers.get(i).id() == i}
 * @param declaredParams the parameter count as the space's published tables declare it (for a
 *                       pruned NB201 cell this is the unpruned count; otherwise {@link #params()})
 */
public record Network(List<Layer> layers, long declaredParams) {

    public Network {
        layers = List.copyOf(layers);
        if (layers.isEmpty() || layers.get(0).kind() != LayerKind.INPUT) {
            throw new IllegalArgumentException("a network must start with its INPUT layer");
        }
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l.id() != i) {
                throw new IllegalArgumentException("layer " + l.name() + " has id " + l.id() + " at position " + i);
            }
            for (int in : l.inputs()) {
                if (in < 0 || in >= i) {
                    throw new IllegalArgumentException(
                            "layer " + l.name() + " reads layer " + in + ", which is not before it");
                }
            }
        }
    }

    public Shape inputShape() {
        return layers.get(0).output();
    }

    public Shape outputShape() {
        return output().output();
    }

    public Layer output() {
        return layers.get(layers.size() - 1);
    }

    /** Trainable parameters of the layers as built. */
    public long params() {
        long sum = 0;
        for (Layer l : layers) {
            sum += l.params();
        }
        return sum;
    }

    /**
     * The zero layers a deployed pass need not compute, by layer id: every reader is a sum with an input that is
     * not such a zero (and the network's output is never one). Those sums leave them out; a sum left with one
     * input is that input. NAS-Bench-201's {@code none} edges into a node that also has a real edge are such.
     */
    public boolean[] zerosReadOnlyBySums() {
        boolean[] zero = new boolean[layers.size()];
        for (Layer l : layers) {
            zero[l.id()] = l.kind() == LayerKind.ZERO && l.id() != layers.size() - 1;
        }
        for (Layer l : layers) {
            for (int i : l.inputs()) {
                if (zero[i] && l.kind() != LayerKind.ADD) {
                    zero[i] = false;
                }
            }
        }
        for (Layer l : layers) {
            if (l.kind() == LayerKind.ADD && l.inputs().stream().allMatch(i -> zero[i])) {
                l.inputs().forEach(i -> zero[i] = false);
            }
        }
        return zero;
    }

    /**
     * The layers a deployed pass computes, by layer id: those the output reads, not through the zeros that the
     * sums reading them leave out ({@link #zerosReadOnlyBySums}), and not those zeros. A NAS-Bench-201 node
     * read only by {@code none} edges is not computed.
     */
    public boolean[] computedLayers() {
        return computedLayers(zerosReadOnlyBySums());
    }

    /**
     * The input, the output and the layers the output reads through layers other than {@code skipped} ones (which
     * are not computed either), by layer id.
     */
    public boolean[] computedLayers(boolean[] skipped) {
        boolean[] live = new boolean[layers.size()];
        live[0] = true;
        live[layers.size() - 1] = true;
        for (int i = layers.size() - 1; i > 0; i--) {
            if (live[i]) {
                for (int in : layers.get(i).inputs()) {
                    live[in] |= !skipped[in];
                }
            }
        }
        return live;
    }

    /**
     * The computed weightless layers (pooling, activations, shuffles) that repeat an earlier one on the same inputs,
     * seen through identities and through sums left with one operand: a runtime's common subexpression elimination
     * computes each once.
     *
     * @param computed the layers that run
     * @param leftOut  the layers the sums reading them leave out (folded constants, skipped zeros)
     */
    public boolean[] repeatedLayers(boolean[] computed, boolean[] leftOut) {
        int n = layers.size();
        boolean[] repeat = new boolean[n];
        int[] same = new int[n];
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            Layer l = layers.get(i);
            same[i] = i;
            if (i == 0 || !computed[i]) {
                continue;
            }
            if (l.kind() == LayerKind.IDENTITY) {
                same[i] = same[l.inputs().get(0)];
                continue;
            }
            if (l.kind() == LayerKind.ADD) {
                List<Integer> operands = l.inputs().stream().filter(in -> !leftOut[in]).toList();
                if (operands.size() == 1) { // a sum left with one operand is that operand
                    same[i] = same[operands.get(0)];
                }
                continue;
            }
            if (l.kind().hasWeights() || l.kind() == LayerKind.CONCAT || l.kind() == LayerKind.ZERO) {
                continue;
            }
            StringBuilder key = new StringBuilder(l.kind().id()).append('|').append(l.kernel()).append('|')
                    .append(l.stride()).append('|').append(l.padding()).append('|').append(l.groups());
            for (int in : l.inputs()) {
                key.append('|').append(same[in]);
            }
            Integer earlier = seen.putIfAbsent(key.toString(), i);
            if (earlier != null) {
                repeat[i] = true;
                same[i] = same[earlier];
            }
        }
        return repeat;
    }

    /** Multiply-accumulates for one sample. */
    public long macs() {
        long sum = 0;
        for (Layer l : layers) {
            sum += l.macs();
        }
        return sum;
    }

    /** Bit operations for one sample: the sum of each layer's MACs x weight bits x activation bits. */
    public long bitOps() {
        long sum = 0;
        for (Layer l : layers) {
            sum += l.bitOps();
        }
        return sum;
    }

    /** The widest weight bits of the convolutions and linear layers (the input layer's bits if none). */
    public int maxWeightBits() {
        int most = 0;
        for (Layer l : layers) {
            if (l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR) {
                most = Math.max(most, l.bits());
            }
        }
        return most == 0 ? layers.get(0).bits() : most;
    }

    /** Bytes of all weights at their bit widths. */
    public long modelBytes() {
        long sum = 0;
        for (Layer l : layers) {
            sum += l.weightBytes();
        }
        return sum;
    }

    /**
     * Peak bytes of live activations for one sample when the layers run one after another in
     * order: a tensor lives from the layer that writes it until its last reader has run.
     */
    public long peakActivationBytes() {
        int n = layers.size();
        int[] lastUse = new int[n];
        for (int i = 0; i < n; i++) {
            lastUse[i] = i;
        }
        for (Layer l : layers) {
            for (int in : l.inputs()) {
                lastUse[in] = Math.max(lastUse[in], l.id());
            }
        }
        lastUse[n - 1] = n; // the network output stays until the caller reads it
        long live = 0;
        long peak = 0;
        List<List<Integer>> freeAfter = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
            freeAfter.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            freeAfter.get(lastUse[i]).add(i);
        }
        for (int i = 0; i < n; i++) {
            live += layers.get(i).outputBytes();
            peak = Math.max(peak, live);
            for (int done : freeAfter.get(i)) {
                live -= layers.get(done).outputBytes();
            }
        }
        return peak;
    }

    /**
     * How many input edges read each layer's output, by layer id (a layer read twice by one sum counts twice): a
     * fresh array the caller may change.
     */
    public int[] consumers() {
        int[] out = new int[layers.size()];
        for (Layer l : layers) {
            for (int in : l.inputs()) {
                out[in]++;
            }
        }
        return out;
    }

    /** Layers that run compute (every layer but the input). */
    public List<Layer> operators() {
        return layers.subList(1, layers.size());
    }

    /** A copy with every layer at {@code bits} (weights and activations). */
    public Network withBits(int bits) {
        List<Layer> copy = new ArrayList<>(layers.size());
        for (Layer l : layers) {
            copy.add(l.withBits(bits));
        }
        return new Network(copy, declaredParams);
    }

    /** A copy that declares another parameter count (see {@link #declaredParams()}). */
    public Network withDeclaredParams(long declared) {
        return new Network(layers, declared);
    }

    /** Finds a layer by name. */
    public Layer layer(String name) {
        Objects.requireNonNull(name);
        for (Layer l : layers) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no layer named " + name);
    }
}
