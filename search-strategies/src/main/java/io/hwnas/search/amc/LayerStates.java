package io.hwnas.search.amc;

import io.hwnas.core.space.compress.CompressionSlots;
import java.util.List;

/**
 * AMC's per-layer state, each feature scaled to [0, 1]: bias, layer index, input and output channels,
 * kernel, stride, depthwise, the layer's share of the MACs, the share of MACs after it, the budget
 * left ((max - cost with the rest at their most aggressive) / max), the previous action of the same
 * kind, and a one-hot of the layer (so each layer can learn its own preference).
 */
final class LayerStates {

    private static final int FIXED = 11;
    private final double[][] layers;

    LayerStates(CompressionSlots slots) {
        List<CompressionSlots.LayerSlot> l = slots.layers();
        int n = l.size();
        double maxIn = l.stream().mapToInt(CompressionSlots.LayerSlot::inChannels).max().orElse(1);
        double maxOut = l.stream().mapToInt(CompressionSlots.LayerSlot::outChannels).max().orElse(1);
        double maxKernel = l.stream().mapToInt(CompressionSlots.LayerSlot::kernel).max().orElse(1);
        double maxStride = l.stream().mapToInt(CompressionSlots.LayerSlot::stride).max().orElse(1);
        double total = Math.max(1, l.stream().mapToLong(CompressionSlots.LayerSlot::macs).sum());
        layers = new double[n][];
        double after = total;
        for (int t = 0; t < n; t++) {
            CompressionSlots.LayerSlot s = l.get(t);
            after -= s.macs();
            layers[t] = new double[] {1, n > 1 ? t / (n - 1.0) : 0, s.inChannels() / maxIn, s.outChannels() / maxOut,
                s.kernel() / maxKernel, s.stride() / maxStride, s.depthwise() ? 1 : 0, s.macs() / total,
                Math.max(0, after) / total};
        }
    }

    int size() {
        return FIXED + layers.length;
    }

    double[] state(AmcRun.Decision d, double budgetLeft, double previous) {
        double[] s = new double[size()];
        double[] fixed = layers[d.layer()];
        System.arraycopy(fixed, 0, s, 0, fixed.length);
        s[fixed.length] = Math.max(0, Math.min(1, budgetLeft));
        s[fixed.length + 1] = previous;
        s[FIXED + d.layer()] = 1;
        return s;
    }
}
