package io.hwnas.core.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-layer compression of a network: weight bits, activation bits and kept output channels of each
 * layer (by layer id). {@link #apply} builds the compressed copy: pruned producers have fewer output
 * channels, and every consumer is rebuilt with the smaller input, so parameters, MACs and bytes follow.
 *
 * <p>Layers without MACs (batch norm, activations, pooling, adds) take the activation bits of their
 * first input for both weights and activations (an add of mixed inputs takes the widest); the input
 * layer takes the activation bits of the first layer with MACs.
 *
 * @param weightBits     weight bits per layer id; 0 keeps the layer's own (used for MAC layers)
 * @param activationBits activation bits per layer id; 0 keeps the layer's own (used for MAC layers)
 * @param keptChannels   output channels per layer id; 0 keeps them (used for plain convolutions and
 *                       linear layers that {@link ChannelGroups} lists as prunable)
 */
public record Compression(int[] weightBits, int[] activationBits, int[] keptChannels) {

    public Compression {
        weightBits = weightBits.clone();
        activationBits = activationBits.clone();
        keptChannels = keptChannels.clone();
    }

    /** No compression for a network of {@code layers} layers. */
    public static Compression none(int layers) {
        return new Compression(new int[layers], new int[layers], new int[layers]);
    }

    /** The compressed copy of {@code base}. */
    public Network apply(Network base) {
        List<Layer> src = base.layers();
        if (src.size() != keptChannels.length || src.size() != weightBits.length
                || src.size() != activationBits.length) {
            throw new IllegalArgumentException("compression of " + keptChannels.length + " layers applied to a network of "
                    + src.size());
        }
        NetworkBuilder b = new NetworkBuilder(base.inputShape());
        boolean pruned = false;
        for (Layer l : src.subList(1, src.size())) {
            replay(b, l);
            pruned |= keptChannels[l.id()] > 0 && keptChannels[l.id()] != l.output().channels();
        }
        Network rebuilt = pruned ? b.build() : b.build(base.declaredParams());
        return withBits(rebuilt);
    }

    private void replay(NetworkBuilder b, Layer l) {
        int in = l.inputs().isEmpty() ? 0 : l.inputs().get(0);
        int kept = keptChannels[l.id()] > 0 ? keptChannels[l.id()] : l.output().channels();
        switch (l.kind()) {
            case CONV2D -> {
                int c = b.shape(in).channels();
                if (l.isDepthwise()) {
                    b.conv(l.name(), in, c, l.kernel(), l.stride(), l.padding(), c, l.bias());
                } else {
                    b.conv(l.name(), in, kept, l.kernel(), l.stride(), l.padding(), l.groups(), l.bias());
                }
            }
            case LINEAR -> b.linear(l.name(), in, kept, l.bias());
            case BATCH_NORM -> b.batchNorm(l.name(), in);
            case RELU, RELU6, HSWISH, SIGMOID -> b.activation(l.name(), l.kind(), in);
            case ADD -> b.add(l.name(), l.inputs());
            case CONCAT -> b.concat(l.name(), l.inputs());
            case AVG_POOL -> b.avgPool(l.name(), in, l.kernel(), l.stride(), l.padding());
            case MAX_POOL -> b.maxPool(l.name(), in, l.kernel(), l.stride(), l.padding());
            case GLOBAL_AVG_POOL -> b.globalAvgPool(l.name(), in);
            case SQUEEZE_EXCITE -> b.squeezeExcite(l.name(), in, l.hidden());
            case CHANNEL_SHUFFLE -> b.channelShuffle(l.name(), in, l.groups());
            case IDENTITY -> b.identity(l.name(), in);
            case ZERO -> b.zero(l.name(), in);
            default -> throw new IllegalArgumentException("layer " + l.name() + ": cannot rebuild a " + l.kind());
        }
    }

    private Network withBits(Network n) {
        List<Layer> layers = n.layers();
        int[] act = new int[layers.size()];
        List<Layer> out = new ArrayList<>(layers.size());
        out.add(null);
        for (Layer l : layers.subList(1, layers.size())) {
            int w;
            int a;
            if (l.macs() > 0 && (l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR)) {
                w = weightBits[l.id()] > 0 ? weightBits[l.id()] : l.bits();
                a = activationBits[l.id()] > 0 ? activationBits[l.id()] : l.activationBits();
            } else {
                a = 0;
                for (int in : l.inputs()) {
                    a = Math.max(a, in == 0 ? 0 : act[in]);
                }
                a = a == 0 ? l.activationBits() : a;
                w = a;
            }
            act[l.id()] = a;
            out.add(l.withBits(w, a));
        }
        out.set(0, layers.get(0).withBits(firstMacBits(out, layers.get(0).activationBits())));
        return new Network(out, n.declaredParams());
    }

    private static int firstMacBits(List<Layer> layers, int fallback) {
        for (Layer l : layers.subList(1, layers.size())) {
            if (l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR) {
                return l.activationBits();
            }
        }
        return fallback;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Compression c && Arrays.equals(weightBits, c.weightBits)
                && Arrays.equals(activationBits, c.activationBits) && Arrays.equals(keptChannels, c.keptChannels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(weightBits) + Arrays.hashCode(activationBits)) + Arrays.hashCode(keptChannels);
    }

    @Override
    public String toString() {
        return "Compression[w=" + Arrays.toString(weightBits) + ", a=" + Arrays.toString(activationBits) + ", kept="
                + Arrays.toString(keptChannels) + "]";
    }
}
