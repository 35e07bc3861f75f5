package io.hwnas.cost;

import io.hwnas.cost.device.DeviceProfile;

/**
 * The roofline constants a CPU or GPU profile gives (per-class compute efficiencies and per-launch
 * overheads, peak throughput, effective bandwidth, weight traffic factor, power, fixed time per
 * inference) and the two roofline terms of a kernel at a batch size.
 */
public final class Roofline {

    private final double[] eff;
    private final double[] overheadMs;
    private final double flopsPerMs;
    private final double bytesPerMs;
    private final double weightFactor;
    private final double powerW;
    private final double fixedMs;
    private final int batch;

    private Roofline(DeviceProfile d, int batch) {
        this.eff = AnalyticalModel.perClass(d, "eff_");
        this.overheadMs = AnalyticalModel.perClass(d, "overhead_us_");
        for (int i = 0; i < overheadMs.length; i++) {
            overheadMs[i] /= 1000;
        }
        this.flopsPerMs = d.number("peak_gflops") * 1e6;
        this.bytesPerMs = d.number("eff_memory") * d.number("bandwidth_gbs") * 1e6;
        this.weightFactor = d.number("weight_factor");
        this.powerW = d.number("power_w");
        this.fixedMs = d.number("fixed_ms");
        this.batch = batch;
    }

    /** The constants of {@code device} for inferences of {@code batch} inputs. */
    public static Roofline of(DeviceProfile device, int batch) {
        return new Roofline(device, batch);
    }

    /** Arithmetic time of a kernel, ms. */
    public double computeMs(Kernel k) {
        return k.ops() * batch / (eff[k.cls().ordinal()] * flopsPerMs);
    }

    /** Memory time of a kernel (activations plus weighted weight bytes), ms. */
    public double memoryMs(Kernel k) {
        return (k.activationBytes(batch, k.bits()) + weightFactor * k.weightBytes(k.bits())) / bytesPerMs;
    }

    /** Per-launch overhead of all the kernel's launches, ms. */
    public double overheadMs(Kernel k) {
        return overheadMs[k.cls().ordinal()] * k.launches();
    }

    /**
     * A costing whose kernel time is {@code combine(compute, memory, overhead)}, bound by the largest
     * term, with energy as power times time and the profile's fixed time per inference; without
     * {@code launchOverhead} the overhead term is zero (e.g. kernels replayed as one graph).
     */
    public AnalyticalModel.Costing costing(boolean launchOverhead, Combine combine) {
        return new AnalyticalModel.Costing() {
            @Override
            public double kernel(Kernel k, double[] out) {
                double compute = computeMs(k);
                double memory = memoryMs(k);
                double overhead = launchOverhead ? overheadMs(k) : 0;
                double t = combine.time(compute, memory, overhead);
                out[0] = powerW * t;
                out[1] = AnalyticalModel.argmax(compute, memory, overhead);
                return t;
            }

            @Override
            public double fixedMs() {
                return fixedMs;
            }

            @Override
            public double staticPowerW() {
                return 0;
            }

            @Override
            public double fixedEnergyMj() {
                return powerW * fixedMs;
            }
        };
    }

    /** How a model combines the three roofline terms of one kernel into its time. */
    @FunctionalInterface
    public interface Combine {
        double time(double computeMs, double memoryMs, double overheadMs);
    }
}
