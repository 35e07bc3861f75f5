package io.hwnas.cost.host;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.Energy;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures the real network on this host with DJL (PyTorch engine): 3 warm-up runs, the median of 10
 * timed runs. Meant for the host's own profile ({@code hwnas profile-host}); energy is the profile's
 * static power times the latency plus the dynamic energy of the analytical model ({@link
 * Energy#atMeasuredTime}), unknown (NaN) when the profile has no energy data.
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
        long model = network.modelBytes();
        Map<String, Double> energy = Energy.atMeasuredTime(architecture, network, d, batch, ms).orElse(Map.of());
        return new CostReport(d.name(), name(), batch, ms, energy.isEmpty() ? Double.NaN : Energy.total(energy),
                model + network.peakActivationBytes() * batch, model, List.of(), List.of(), energy);
    }

    @Override
    public Optional<String> energyUnknown(DeviceProfile device) {
        return Energy.unknownAtMeasuredTime(device);
    }
}
