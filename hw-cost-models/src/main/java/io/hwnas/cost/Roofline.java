package io.hwnas.cost;

import io.hwnas.cost.device.DeviceProfile;

/**
 * The roofline constants a CPU or GPU profile gives (per-class compute efficiencies and per-launch
 * overheads, peak throughput, effective bandwidth, weight traffic factor, fixed time per inference,
 * energy numbers) and the two roofline terms of a kernel at a batch size.
 */
public final class Roofline {

    private final double[] eff;
    private final double[] overheadMs;
    private final double flopsPerMs;
    private final double bytesPerMs;
    private final double weightFactor;
    private final Energy.Constants energy;
    private final double cacheBytes;
    private final double fixedMs;
    private final int batch;
    private final double int8Speedup;
    private final double fp16Speedup;

    private Roofline(DeviceProfile d, int batch) {
        this.eff = AnalyticalModel.perClass(d, "eff_");
        this.overheadMs = AnalyticalModel.perClass(d, "overhead_us_");
        for (int i = 0; i < overheadMs.length; i++) {
            overheadMs[i] /= 1000;
        }
        this.flopsPerMs = d.number("peak_gflops") * 1e6;
        this.bytesPerMs = d.number("eff_memory") * d.number("bandwidth_gbs") * 1e6;
        this.weightFactor = d.number("weight_factor");
        this.energy = Energy.of(d).orElse(null);
        this.cacheBytes = d.number("cache_bytes", 0);
        this.fixedMs = d.number("fixed_ms");
        this.batch = batch;
        this.fp16Speedup = Math.max(1, d.number("fp16_mac_speedup", 1));
        this.int8Speedup = Math.max(fp16Speedup, d.number("int8_mac_speedup", 1));
    }

    /** The constants of {@code device} for inferences of {@code batch} inputs. */
    public static Roofline of(DeviceProfile device, int batch) {
        return new Roofline(device, batch);
    }

    /**
     * Arithmetic time of a kernel, ms: its MACs run {@code int8_mac_speedup} times faster than fp32 at
     * 8 bits or fewer (int8 dot-product kernels: sdot, VNNI, int8 tensor cores; narrower widths are
     * unpacked to int8) and {@code fp16_mac_speedup} times at 9-16 bits (both 1 when the profile has
     * no such number).
     */
    public double computeMs(Kernel k) {
        return (2.0 * k.macs() / macSpeedup(k) + k.otherOps()) * batch / (eff[k.cls().ordinal()] * flopsPerMs);
    }

    /** How much faster than fp32 the kernel's MACs run at their bit width. */
    public double macSpeedup(Kernel k) {
        int b = k.macBits();
        return b <= 8 ? int8Speedup : b <= 16 ? fp16Speedup : 1;
    }

    /** Memory time of a kernel (activations plus weighted weight bytes), ms. */
    public double memoryMs(Kernel k) {
        return dramBytes(k) / bytesPerMs;
    }

    /** Per-launch overhead of all the kernel's launches, ms. */
    public double overheadMs(Kernel k) {
        return overheadMs[k.cls().ordinal()] * k.launches();
    }

    /** Bytes a kernel moves to and from DRAM (activations plus weighted weight bytes). */
    public double dramBytes(Kernel k) {
        return k.activationBytes(batch, k.activationBits()) + weightFactor * k.weightBytes(k.bits());
    }

    /**
     * Bytes a kernel moves to and from DRAM for the energy: none when its activations and weights
     * fit in the profile's last-level cache ({@code cache_bytes}; absent: every byte goes to DRAM),
     * else {@link #dramBytes}. The roofline time keeps {@link #dramBytes}: calibration fits its
     * bandwidth efficiency to measured times.
     */
    public double energyDramBytes(Kernel k) {
        return onChipBytes(k) <= cacheBytes ? 0 : dramBytes(k);
    }

    /** Bytes a kernel reads and writes in on-chip memory: its activations and weights, once each. */
    public double onChipBytes(Kernel k) {
        return k.activationBytes(batch, k.activationBits()) + k.weightBytes(k.bits());
    }

    /**
     * Dynamic energy of a kernel in mJ, written to {@code out[2..4]} (arithmetic, on-chip, DRAM),
     * with the total in {@code out[0]}; NaN in {@code out[0]} when the profile has no energy data.
     */
    public void energy(Kernel k, double[] out) {
        if (energy == null) {
            out[0] = Double.NaN;
            out[2] = out[3] = out[4] = Double.NaN;
            return;
        }
        out[2] = ((double) k.macs() * batch * energy.macPj() * Energy.macScale(k.macBits())
                + (double) k.otherOps() * batch * energy.opPj()) * 1e-9;
        out[3] = onChipBytes(k) * energy.sramPjPerByte() * 1e-9;
        out[4] = energyDramBytes(k) * energy.dramPjPerByte() * 1e-9;
        out[0] = out[2] + out[3] + out[4];
    }

    /**
     * A costing whose kernel time is {@code combine(compute, memory, overhead)}, bound by the largest
     * term, with energy as static power times time plus the kernels' dynamic energy ({@link
     * #energy}) and the profile's fixed time per inference; without {@code launchOverhead} the
     * overhead term is zero (e.g. kernels replayed as one graph).
     */
    public AnalyticalModel.Costing costing(boolean launchOverhead, Combine combine) {
        return new AnalyticalModel.Costing() {
            @Override
            public double kernel(Kernel k, double[] out) {
                double compute = computeMs(k);
                double memory = memoryMs(k);
                double overhead = launchOverhead ? overheadMs(k) : 0;
                double t = combine.time(compute, memory, overhead);
                energy(k, out);
                out[1] = AnalyticalModel.argmax(compute, memory, overhead);
                return t;
            }

            @Override
            public double fixedMs() {
                return fixedMs;
            }

            @Override
            public double staticPowerW() {
                return energy == null ? Double.NaN : energy.staticW();
            }

            @Override
            public boolean energyKnown() {
                return energy != null;
            }
        };
    }

    /** How a model combines the three roofline terms of one kernel into its time. */
    @FunctionalInterface
    public interface Combine {
        double time(double computeMs, double memoryMs, double overheadMs);
    }
}
