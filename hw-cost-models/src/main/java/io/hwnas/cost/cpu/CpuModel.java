package io.hwnas.cost.cpu;

import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.Energy;
import io.hwnas.cost.Roofline;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;
import java.util.Optional;

/**
 * CPU model: a roofline per (fused) kernel, {@code max(ops / (eff_class * peak), bytes / (eff_memory
 * * bandwidth)) + overhead_class}, plus a fixed time per inference; energy is static power times
 * the latency plus energy per MAC, per other op and per byte moved on chip and to DRAM ({@link
 * io.hwnas.cost.Energy}), unknown (NaN) when the profile lacks those numbers. With the profile setting {@code overlap: sum} compute and memory time add instead (small
 * eager-mode kernels that do not overlap their memory passes with arithmetic).
 */
public final class CpuModel extends AnalyticalModel {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "roofline per fused kernel with per-class efficiencies and per-kernel dispatch overhead";
    }

    @Override
    protected List<DeviceKind> kinds() {
        return List.of(DeviceKind.CPU);
    }

    @Override
    public Optional<String> energyUnknown(DeviceProfile device) {
        return Energy.unknown(device);
    }

    @Override
    public List<String> freeParameters(DeviceProfile device) {
        List<String> out = new java.util.ArrayList<>(rooflineParameters());
        out.add("weight_factor");
        return out;
    }

    @Override
    protected Costing costing(DeviceProfile d, int batch) {
        boolean overlap = d.choice("overlap", "max", "max", "sum").equals("max");
        return Roofline.of(d, batch).costing(true, (compute, memory, overhead) ->
                (overlap ? Math.max(compute, memory) : compute + memory) + overhead);
    }
}
