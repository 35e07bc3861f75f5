package io.hwnas.cost.measured;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;

/**
 * Measures the real network on this host with DJL (PyTorch engine): 3 warm-up runs, the median of 10
 * timed runs. Meant for the host's own profile ({@code hwnas profile-host}); energy is the profile's
 * power times the latency where it has one.
 */
public final class MeasuredModel implements CostModel {

    private final int warmup;
    private final int repeats;

    public MeasuredModel() {
        this(3, 10);
    }

    public MeasuredModel(int warmup, int repeats) {
        this.warmup = warmup;
        this.repeats = repeats;
    }

    @Override
    public String name() {
        return "measured";
    }

    @Override
    public String description() {
        return "times the DJL network on this host (median of repeats after warm-up)";
    }

    @Override
    public CostReport estimate(Architecture architecture, Network network, DeviceProfile d, int batch) {
        double ms = Timer.medianMs(network, batch, warmup, repeats);
        double power = d.number("power_w", 0);
        long model = network.modelBytes();
        return new CostReport(d.name(), name(), batch, ms, power * ms, model + network.peakActivationBytes() * batch,
                model, List.of(), List.of());
    }
}
