package io.hwnas.cost.table;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.Bound;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.Energy;
import io.hwnas.cost.LayerCost;
import io.hwnas.cost.device.DeviceProfile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Latency as the sum of per-layer measured times from a lookup table (the device profile's setting
 * {@code lut}: a LUT file, e.g. written by {@code hwnas profile-host --lut}). A layer missing from
 * the table is an error that names it. Energy is the profile's static power times the summed time
 * plus the dynamic energy of the device's analytical model ({@link Energy#atMeasuredTime}), unknown
 * (NaN) without energy data; the per-layer energies are unknown (the table holds times only).
 */
public final class LutModel implements CostModel {

    private static final Map<String, Lut> LUTS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "lut";
    }

    @Override
    public String description() {
        return "sum of per-layer latencies from the device's lookup table (setting lut)";
    }

    @Override
    public CostReport estimate(Architecture architecture, Network network, DeviceProfile d, int batch) {
        return estimate(lut(d), network, d, batch);
    }

    /** The device has a lookup table, and it reads (it is read once, then kept). */
    @Override
    public List<String> check(DeviceProfile device, String space, int batch) {
        try {
            lut(device);
            return List.of();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return List.of(e.getMessage());
        }
    }

    private static Lut lut(DeviceProfile d) {
        String file = d.setting("lut", null);
        if (file == null) {
            throw new IllegalArgumentException("device '" + d.name() + "' has no lookup table (setting lut); write one "
                    + "with 'hwnas profile-host --lut FILE' and name it in the profile");
        }
        return LUTS.computeIfAbsent(file, f -> Lut.read(Path.of(f)));
    }

    /** The cost of a network from a given LUT. */
    public CostReport estimate(Lut lut, Network network, DeviceProfile d, int batch) {
        List<LayerCost> layers = new ArrayList<>();
        double total = 0;
        for (Layer l : network.operators()) {
            if (l.kind() == LayerKind.IDENTITY) {
                continue;
            }
            String sig = Lut.signature(l, batch);
            Double ms = lut.entries().get(sig);
            if (ms == null) {
                throw new IllegalArgumentException(lut.source() + ": no entry for layer " + l.name() + " (" + sig + ")");
            }
            total += ms;
            layers.add(new LayerCost(l.name(), l.kind(), ms, Double.NaN, Bound.COMPUTE));
        }
        long model = network.modelBytes();
        Map<String, Double> energy = Energy.atMeasuredTime(null, network, d, batch, total).orElse(Map.of());
        return new CostReport(d.name(), name(), batch, total, energy.isEmpty() ? Double.NaN : Energy.total(energy),
                model + network.peakActivationBytes() * batch, model, layers, List.of(), energy);
    }

    @Override
    public Optional<String> energyUnknown(DeviceProfile device) {
        return Energy.unknownAtMeasuredTime(device);
    }
}
