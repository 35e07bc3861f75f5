package io.hwnas.core.space.compress;

import java.util.List;

/**
 * Where one base architecture's compression decisions sit in a {@link CompressedSpace}'s decision
 * vector, in layer order: what a strategy that compresses one fixed network (AMC) walks through.
 * Positions before {@code baseLength} are the base space's and are left as they are.
 *
 * @param baseLength the number of base-space positions (the compression slots start there)
 * @param layers     the MAC layers (convolutions, linear layers) with their bit-width positions, in
 *                   the network's topological order; when the network has more MAC layers than the
 *                   space has slots, the last entry stands for the rest (they share its slot)
 * @param groups     the prunable channel groups with their ratio positions, ordered by first layer
 */
public record CompressionSlots(int baseLength, List<LayerSlot> layers, List<GroupSlot> groups) {

    public CompressionSlots {
        layers = List.copyOf(layers);
        groups = List.copyOf(groups);
    }

    /**
     * One MAC layer's decisions and what a per-layer state needs about it.
     *
     * @param name               the layer's name in the IR
     * @param weightPosition     the vector position of its weight bits
     * @param activationPosition the vector position of its activation bits
     * @param inChannels         input channels
     * @param outChannels        output channels
     * @param kernel             kernel size (1 for a linear layer)
     * @param stride             stride (1 for a linear layer)
     * @param depthwise          whether it is a grouped (depthwise) convolution
     * @param macs               multiply-accumulates per sample (of every layer it stands for)
     */
    public record LayerSlot(String name, int weightPosition, int activationPosition, int inChannels, int outChannels,
            int kernel, int stride, boolean depthwise, long macs) {
    }

    /**
     * One prunable channel group's decision.
     *
     * @param position   the vector position of its pruning ratio
     * @param firstLayer the index in {@link CompressionSlots#layers()} of the group's first layer
     * @param channels   the group's output channels before pruning
     * @param layers     the names of the layers whose output channels it prunes
     */
    public record GroupSlot(int position, int firstLayer, int channels, List<String> layers) {
        public GroupSlot {
            layers = List.copyOf(layers);
        }
    }

    /** Every compression position (bits of every layer, ratio of every group), ascending. */
    public int[] positions() {
        return java.util.stream.Stream.concat(
                layers.stream().flatMap(l -> java.util.stream.Stream.of(l.weightPosition(), l.activationPosition())),
                groups.stream().map(GroupSlot::position)).mapToInt(Integer::intValue).sorted().toArray();
    }
}
