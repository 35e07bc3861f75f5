package io.hwnas.cost.table;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.table.BenchmarkTable;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.Energy;
import io.hwnas.cost.device.DeviceProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exact measured latencies from a table: the device profile's setting {@code table.SPACE} names the
 * table (a file or a shipped table), the column ({@code {batch}} is replaced by the batch size) and
 * the architecture column, as {@code file#column#archColumn}. Energy is the profile's static power
 * times the measured latency plus the dynamic energy (per operation and per byte moved) of the
 * device's analytical model ({@link Energy#atMeasuredTime}); unknown (NaN) when the profile has no
 * energy data. Memory comes from the network.
 */
public final class TableModel implements CostModel {

    private static final Map<String, Map<String, Double>> TABLES = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "table";
    }

    @Override
    public String description() {
        return "measured latency looked up in the device's table (HW-NAS-Bench / HELP for nb201 and fbnet)";
    }

    /** The {@code file#column#archColumn} source of a device for a space and batch. */
    public static String source(DeviceProfile d, String space, int batch) {
        String s = d.setting("table." + space, null);
        if (s == null) {
            throw new IllegalArgumentException("device '" + d.name() + "' has no measurement table for space '" + space
                    + "' (setting table." + space + "); devices with tables: those measured by HW-NAS-Bench and HELP");
        }
        return s.replace("{batch}", Integer.toString(batch));
    }

    @Override
    public CostReport estimate(Architecture architecture, Network network, DeviceProfile d, int batch) {
        String src = source(d, architecture.space(), batch);
        Map<String, Double> table = TABLES.computeIfAbsent(src, TableModel::load);
        Double ms = table.get(architecture.canonical());
        if (ms == null) {
            throw new IllegalArgumentException(src + ": no measurement for architecture " + architecture.canonical());
        }
        long model = network.modelBytes();
        long peak = model + network.peakActivationBytes() * batch;
        Map<String, Double> energy = Energy.atMeasuredTime(architecture, network, d, batch, ms).orElse(Map.of());
        return new CostReport(d.name(), name(), batch, ms, energy.isEmpty() ? Double.NaN : Energy.total(energy), peak,
                model, List.of(), List.of(), energy);
    }

    @Override
    public Optional<String> energyUnknown(DeviceProfile device) {
        return Energy.unknownAtMeasuredTime(device);
    }

    /** The device has a table for the space, and it loads (it is read once, then kept). */
    @Override
    public List<String> check(DeviceProfile device, String space, int batch) {
        try {
            TABLES.computeIfAbsent(source(device, space, batch), TableModel::load);
            return List.of();
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return List.of(e.getMessage());
        }
    }

    private static Map<String, Double> load(String src) {
        String[] parts = src.split("#");
        if (parts.length != 3) {
            throw new IllegalArgumentException("table source '" + src + "' must have the form file#column#archColumn");
        }
        BenchmarkTable t = Measurements.table(parts[0]);
        int c = t.column(parts[1]);
        int a = t.column(parts[2]);
        Map<String, Double> m = new HashMap<>(t.size() * 2);
        for (int i = 0; i < t.size(); i++) {
            double v = t.number(i, c);
            if (v > 0) {
                m.putIfAbsent(t.text(i, a), v);
            }
        }
        return m;
    }
}
