package io.hwnas.cost.cpu;

import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.Kernel;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;

/**
 * CPU model: a roofline per (fused) kernel, {@code max(ops / (eff_class * peak), bytes / (eff_memory
 * * bandwidth)) + overhead_class}, plus a fixed time per inference; energy is the active power times
 * the time. With the profile setting {@code overlap: sum} compute and memory time add instead (small
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
    public List<String> freeParameters(DeviceProfile device) {
        List<String> out = new java.util.ArrayList<>(rooflineParameters());
        out.add("weight_factor");
        return out;
    }

    @Override
    protected Costing costing(DeviceProfile d, int batch) {
        double[] eff = perClass(d, "eff_");
        double[] overheadMs = perClass(d, "overhead_us_");
        for (int i = 0; i < overheadMs.length; i++) {
            overheadMs[i] /= 1000;
        }
        double flopsPerMs = d.number("peak_gflops") * 1e6;
        double bytesPerMs = d.number("eff_memory") * d.number("bandwidth_gbs") * 1e6;
        double weightFactor = d.number("weight_factor");
        double powerW = d.number("power_w");
        String overlapSetting = d.setting("overlap", "max");
        if (!overlapSetting.equals("max") && !overlapSetting.equals("sum")) {
            throw new IllegalArgumentException(d.origin() + ": setting overlap = '" + overlapSetting
                    + "' is not allowed; expected one of [max, sum]");
        }
        boolean overlap = overlapSetting.equals("max");
        double fixed = d.number("fixed_ms");
        return new Costing() {
            @Override
            public double kernel(Kernel k, double[] out) {
                int c = k.cls().ordinal();
                double compute = k.ops() * batch / (eff[c] * flopsPerMs);
                double memory = (k.activationBytes(batch, k.bits()) + weightFactor * k.weightBytes(k.bits()))
                        / bytesPerMs;
                double overhead = overheadMs[c] * k.launches();
                double t = (overlap ? Math.max(compute, memory) : compute + memory) + overhead;
                out[0] = powerW * t;
                out[1] = argmax(compute, memory, overhead);
                return t;
            }

            @Override
            public double fixedMs() {
                return fixed;
            }

            @Override
            public double staticPowerW() {
                return 0;
            }

            @Override
            public double fixedEnergyMj() {
                return powerW * fixed;
            }
        };
    }
}
