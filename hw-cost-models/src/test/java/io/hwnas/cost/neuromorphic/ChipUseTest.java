package io.hwnas.cost.neuromorphic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.ir.Network;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.Energy;
import io.hwnas.cost.Toy;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The neuromorphic report: energy parts, cores and per-core use against the chip's limits, measured rates. */
class ChipUseTest {

    @Test
    void coresAndTheFullestCoreAreReportedAgainstThePerCoreLimitsByHand() {
        // Toy.chain(16, 2, 16): stem and two 3x3 convs of 16 channels on 16x16 (4,096 neurons each; 432 and
        // 2,304 weights), a global pool (16 neurons, 256 synapses-free) and a linear layer (10 neurons, 170 weights)
        Network n = Toy.chain(16, 2, 16);
        DeviceProfile loihi = DeviceCatalog.get("loihi2");
        CostReport r = CostModels.get("neuromorphic").estimate(Toy.ARCH, n, loihi, 1);
        Map<String, Double> d = r.details();
        assertEquals(5, d.get("cores_used"), "one core per spiking layer: 4,096 neurons fit in 8,192");
        assertEquals(128, d.get("cores"));
        assertEquals(4096, d.get("peak_neurons_per_core"));
        assertEquals(8192, d.get("neurons_per_core"));
        assertEquals(16 * 16 * 9, d.get("peak_synapses_per_core"));
        assertEquals(937500, d.get("synapses_per_core"));
        assertEquals(16 * 16 * 9, d.get("peak_synapse_bytes_per_core"), "8-bit weights");
        // a chip with 1,024 neurons and 1,000 synapses per core needs more cores: 4 per conv (neurons), 3 for
        // the 2,304-weight convs' synapses is fewer, so 4; the stem 4; pool 1; linear 1
        DeviceProfile small = loihi.withNumber("neurons_per_core", 1024, "test").withNumber("synapses_per_core", 1000,
                "test");
        Map<String, Double> s = CostModels.get("neuromorphic").estimate(Toy.ARCH, n, small, 1).details();
        assertEquals(4 + 4 + 4 + 1 + 1, s.get("cores_used"));
        assertEquals(1024, s.get("peak_neurons_per_core"));
        assertEquals(Math.ceil(2304 / 4.0), s.get("peak_synapses_per_core"));
        assertTrue(s.get("peak_synapses_per_core") <= 1000 && s.get("peak_neurons_per_core") <= 1024);
        DeviceProfile tiny = small.withNumber("cores", 10, "test");
        CostReport over = CostModels.get("neuromorphic").estimate(Toy.ARCH, n, tiny, 1);
        assertFalse(over.feasible());
        assertTrue(over.violations().get(0).startsWith("cores: needs 14 cores"), over.violations().toString());
    }

    @Test
    void energyIsStaticTimesLatencyPlusSynapticNeuronAndSpikeParts() {
        Network n = Toy.chain(16, 2, 16);
        DeviceProfile d = DeviceCatalog.get("loihi2");
        CostReport r = CostModels.get("neuromorphic").estimate(Toy.ARCH, n, d, 1);
        double sum = r.details().get(Energy.STATIC) + r.details().get(NeuromorphicModel.SYNAPTIC)
                + r.details().get(NeuromorphicModel.NEURON) + r.details().get(NeuromorphicModel.SPIKE);
        assertEquals(r.energyMj(), sum, 1e-15);
        assertEquals(d.number("static_power_w") * r.latencyMs(), r.details().get(Energy.STATIC), 1e-15);
        // neuron updates: every spiking neuron, every time step: 3 x 4,096 + 16 + 10 neurons x 8 steps x 81 pJ
        assertEquals((3 * 4096 + 16 + 10) * 8 * 81e-9, r.details().get(NeuromorphicModel.NEURON), 1e-15);
        assertEquals(0.1, r.details().get("mean_firing_rate"), 0, "the profile default");
    }
}
