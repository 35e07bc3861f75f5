package io.hwnas.core.space.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.ChannelGroups;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CompressedSpace#slots}: each MAC layer's and group's vector positions, in layer order. */
class CompressionSlotsTest {

    @Test
    void slotsNameEveryCompressionPositionOfTheBaseNetworkInLayerOrder() {
        CompressedSpace s = (CompressedSpace) CompressedSpaces.get("mobilenet", Map.of("resolutions", List.of(32),
                "widths", List.of(0.5), CompressedSpace.OPTION, Map.of("bits", List.of(4, 32), "prune", List.of(0, 0.5))));
        Architecture a = s.parse("r32-w0.5|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3");
        CompressionSlots slots = s.slots(a);
        Network net = s.base().network(s.baseArchitecture(a));
        List<Layer> mac = net.layers().stream().filter(l -> l.macs() > 0
                && (l.kind() == io.hwnas.core.ir.LayerKind.CONV2D || l.kind() == io.hwnas.core.ir.LayerKind.LINEAR)).toList();
        assertEquals(s.base().choices().length, slots.baseLength());
        assertEquals(mac.size(), slots.layers().size());
        assertEquals(ChannelGroups.prunable(net).size(), slots.groups().size());
        for (int j = 0; j < mac.size(); j++) {
            CompressionSlots.LayerSlot l = slots.layers().get(j);
            assertEquals(mac.get(j).name(), l.name());
            assertEquals(mac.get(j).macs(), l.macs());
            assertEquals("q" + j + ".wbits", s.positions().get(l.weightPosition()));
            assertEquals("q" + j + ".abits", s.positions().get(l.activationPosition()));
            assertEquals(mac.get(j).groups() > 1, l.depthwise());
        }
        for (int k = 0; k < slots.groups().size(); k++) {
            CompressionSlots.GroupSlot g = slots.groups().get(k);
            assertEquals("p" + k + ".prune", s.positions().get(g.position()));
            assertEquals(slots.layers().get(g.firstLayer()).name(), g.layers().get(0));
            assertTrue(g.channels() > 0);
        }
        // the positions are exactly the active compression positions: setting each changes the architecture
        int[] positions = slots.positions();
        assertEquals(2 * mac.size() + slots.groups().size(), positions.length);
        for (int p : positions) {
            int[] v = a.vectorArray();
            v[p] = 1 - v[p];
            assertTrue(!s.decode(v).equals(a), "position " + p + " is inactive");
        }
        int[] v = a.vectorArray();
        int last = Arrays.stream(positions).max().orElseThrow();
        for (int p = last + 1; p < v.length; p++) {
            int[] w = v.clone();
            w[p] = 1;
            assertEquals(a, s.decode(w), "position " + p + " is not in slots but active");
        }
    }
}
