package io.hwnas.core.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.fbnet.FbnetSpace;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FbnetSpaceTest extends SearchSpaceContract {

    static final String HELP_SAMPLE_0 = "k5_e6 skip k3_e1_g2 skip k5_e1 skip skip skip k5_e6 k5_e1 k3_e1_g2 k5_e1 k5_e6 "
            + "k3_e6 k3_e3 k5_e6 k3_e6 k3_e3 k5_e1 k3_e3 k5_e1 k5_e1_g2";

    @Override
    protected SearchSpace space() {
        return new FbnetSpace();
    }

    @Test
    void parsesTheHelpTableStrings() {
        Architecture a = new FbnetSpace().parse(HELP_SAMPLE_0);
        assertEquals(HELP_SAMPLE_0, a.canonical());
        assertEquals(7, a.vector().get(0));
        assertEquals(8, a.vector().get(1));
        Network n = new FbnetSpace().network(a);
        assertEquals(100, n.outputShape().channels());
        assertTrue(n.layers().stream().anyMatch(l -> l.kind() == LayerKind.CHANNEL_SHUFFLE));
    }

    @Test
    void imagenetVariantUsesItsStridesAndHead() {
        SearchSpace s = new FbnetSpace().withOptions(Map.of("dataset", "imagenet"));
        Network n = s.network(s.parse(HELP_SAMPLE_0));
        assertEquals(1000, n.outputShape().channels());
        assertEquals(1984, n.layer("head.conv").output().channels());
        assertEquals(7, n.layer("head.conv").output().height());
    }
}
