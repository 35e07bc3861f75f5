package io.hwnas.core.space.compress;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.ChannelGroups;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Where a network's compression decisions go: its MAC layers and its prunable channel groups. */
final class Slots {

    private static final int SAMPLES = 64;

    /**
     * @param macLayers ids of the convolutions and linear layers, in order
     * @param groups    the prunable channel groups, in order
     */
    record Layout(List<Integer> macLayers, List<List<Integer>> groups) {
        Layout {
            macLayers = List.copyOf(macLayers);
            groups = groups.stream().map(List::copyOf).toList();
        }
    }

    private Slots() {
    }

    static Layout layout(SearchSpace base, Architecture architecture) {
        return layout(base.network(architecture));
    }

    static Layout layout(Network net) {
        List<Integer> mac = new ArrayList<>();
        for (Layer l : net.layers()) {
            if ((l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR) && l.macs() > 0) {
                mac.add(l.id());
            }
        }
        return new Layout(mac, ChannelGroups.prunable(net));
    }

    /** The most MAC layers and prunable groups of the base space's probe architectures. */
    static int[] probe(SearchSpace base) {
        int[] c = base.choices();
        int[] max = new int[c.length];
        for (int i = 0; i < c.length; i++) {
            max[i] = c[i] - 1;
        }
        int[] most = new int[2];
        consider(base, new int[c.length], most);
        consider(base, max, most);
        SplittableRandom random = new SplittableRandom(0x5107);
        for (int s = 0; s < SAMPLES; s++) {
            int[] v = new int[c.length];
            Arrays.setAll(v, i -> random.nextInt(c[i]));
            consider(base, v, most);
        }
        return most;
    }

    private static void consider(SearchSpace base, int[] v, int[] most) {
        if (!base.violations(v).isEmpty()) {
            return;
        }
        Layout l = layout(base, base.decode(v));
        most[0] = Math.max(most[0], l.macLayers().size());
        most[1] = Math.max(most[1], l.groups().size());
    }
}
