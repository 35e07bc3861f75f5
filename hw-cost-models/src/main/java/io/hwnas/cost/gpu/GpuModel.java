package io.hwnas.cost.gpu;

import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.Kernel;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import java.util.List;

/**
 * GPU model: a roofline kernel time per kernel; in eager execution every launch costs at least the
 * host-side launch overhead ({@code max(kernel, launches * launch)}), with CUDA graphs the kernels
 * run back to back after one launch. Energy is board power times time.
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
    public List<String> freeParameters(DeviceProfile device) {
        List<String> out = new java.util.ArrayList<>(rooflineParameters());
        out.add("weight_factor");
        return out;
    }

    @Override
    protected Costing costing(DeviceProfile d, int batch) {
        String mode = d.setting("execution", "eager");
        if (!mode.equals("eager") && !mode.equals("graph")) {
            throw new IllegalArgumentException(d.origin() + ": setting execution = '" + mode
                    + "' is not allowed; expected one of [eager, graph]");
        }
        boolean eager = mode.equals("eager");
        double[] eff = perClass(d, "eff_");
        double[] launchMs = perClass(d, "overhead_us_");
        for (int i = 0; i < launchMs.length; i++) {
            launchMs[i] /= 1000;
        }
        double flopsPerMs = d.number("peak_gflops") * 1e6;
        double bytesPerMs = d.number("eff_memory") * d.number("bandwidth_gbs") * 1e6;
        double weightFactor = d.number("weight_factor");
        double powerW = d.number("power_w");
        double fixed = d.number("fixed_ms");
        return new Costing() {
            @Override
            public double kernel(Kernel k, double[] out) {
                int c = k.cls().ordinal();
                double compute = k.ops() * batch / (eff[c] * flopsPerMs);
                double memory = (k.activationBytes(batch, k.bits()) + weightFactor * k.weightBytes(k.bits()))
                        / bytesPerMs;
                double launch = eager ? launchMs[c] * k.launches() : 0;
                double t = Math.max(Math.max(compute, memory), launch);
                out[0] = powerW * t;
                out[1] = argmax(compute, memory, launch);
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
