package io.hwnas.cost.gpu;

import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.Energy;
import io.hwnas.cost.Roofline;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;
import java.util.Optional;

/**
 * GPU model: a roofline kernel time per kernel; in eager execution every launch costs at least the
 * host-side launch overhead ({@code max(kernel, launches * launch)}), with CUDA graphs the kernels
 * run back to back after one launch. Energy is static power times the latency plus energy per MAC,
 * per other op and per byte moved on chip and to DRAM ({@link io.hwnas.cost.Energy}).
 */
public final class GpuModel extends AnalyticalModel {

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public String description() {
        return "roofline kernel time with eager launch overhead or graph execution";
    }

    @Override
    protected List<DeviceKind> kinds() {
        return List.of(DeviceKind.GPU);
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
        boolean eager = d.choice("execution", "eager", "eager", "graph").equals("eager");
        return Roofline.of(d, batch).costing(eager, (compute, memory, launch) ->
                Math.max(Math.max(compute, memory), launch));
    }
}
