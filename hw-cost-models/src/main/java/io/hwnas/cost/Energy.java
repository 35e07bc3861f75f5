package io.hwnas.cost;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.device.DeviceProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Energy as static power times time plus dynamic energy per operation and per byte moved:
 * {@code E = P_static * t + MACs * e_mac + other ops * e_op + on-chip bytes * e_sram + DRAM bytes *
 * e_dram}. The names of the parts in {@link CostReport#details()}, the numbers a CPU or GPU profile
 * needs for it, and the energy of models that measure time (table, lut, measured): the static power
 * over the measured time plus the dynamic parts of the device's analytical model, which do not
 * depend on time. Sources of the constants: {@code docs/cost-models.md}.
 */
public final class Energy {

    /** Static power times latency, mJ. */
    public static final String STATIC = "energy_static_mj";
    /** MACs and other arithmetic, mJ. */
    public static final String COMPUTE = "energy_compute_mj";
    /** Bytes moved in on-chip memories (caches, register files, buffers), mJ. */
    public static final String ON_CHIP = "energy_on_chip_mj";
    /** Bytes moved to and from DRAM, mJ. */
    public static final String DRAM = "energy_dram_mj";

    /** The numbers a CPU or GPU profile needs for energy; without them its energy is unknown. */
    public static final List<String> FIELDS =
            List.of("static_power_w", "e_mac_pj", "e_op_pj", "e_sram_pj_per_byte", "e_dram_pj_per_byte");

    /**
     * The energy numbers of a CPU or GPU profile.
     *
     * @param staticW       power drawn whatever runs, W
     * @param macPj         energy per multiply-accumulate, pJ
     * @param opPj          energy per other arithmetic op (add, compare, pooling), pJ
     * @param sramPjPerByte energy per byte read or written in on-chip SRAM (caches), pJ
     * @param dramPjPerByte energy per byte moved to or from DRAM, pJ
     */
    public record Constants(double staticW, double macPj, double opPj, double sramPjPerByte, double dramPjPerByte) {
    }

    /** fp32 MAC: multiply 3.7 pJ + add 0.9 pJ (Horowitz, ISSCC 2014, 45 nm; docs/cost-models.md). */
    static final double FP32_MAC_PJ = 4.6;
    /** fp16 MAC: multiply 1.1 pJ + add 0.4 pJ (Horowitz, ISSCC 2014). */
    static final double FP16_MAC_PJ = 1.5;
    /** int8 MAC: multiply 0.2 pJ + add 0.03 pJ (Horowitz, ISSCC 2014). */
    static final double INT8_MAC_PJ = 0.23;

    private Energy() {
    }

    /**
     * The energy of a MAC at {@code bits} as a share of an fp32 MAC, the profile's {@code e_mac_pj}
     * (Horowitz, ISSCC 2014): 1 above 16 bits, fp16/fp32 = 1.5/4.6 at 9-16 bits, int8/fp32 = 0.23/4.6
     * at 8 bits, and below 8 bits the int8 share times (bits/8)^2 (multiplier energy grows roughly
     * with the square of the width; docs/cost-models.md), so int4 is a quarter of int8 and binary
     * (XNOR) 1/64.
     */
    public static double macScale(int bits) {
        if (bits > 16) {
            return 1;
        }
        if (bits > 8) {
            return FP16_MAC_PJ / FP32_MAC_PJ;
        }
        return INT8_MAC_PJ / FP32_MAC_PJ * (bits / 8.0) * (bits / 8.0);
    }

    /** The energy numbers of {@link #FIELDS} that {@code device} lacks. */
    public static List<String> missing(DeviceProfile device) {
        List<String> out = new ArrayList<>();
        for (String f : FIELDS) {
            if (!device.numbers().containsKey(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The device's energy numbers, or empty when any is missing. */
    public static Optional<Constants> of(DeviceProfile d) {
        if (!missing(d).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Constants(d.number("static_power_w"), d.number("e_mac_pj"), d.number("e_op_pj"),
                d.number("e_sram_pj_per_byte"), d.number("e_dram_pj_per_byte")));
    }

    /** Why a CPU or GPU profile gives no energy, or empty when it has all of {@link #FIELDS}. */
    public static Optional<String> unknown(DeviceProfile d) {
        List<String> m = missing(d);
        return m.isEmpty() ? Optional.empty() : Optional.of("device '" + d.name() + "' (" + d.origin()
                + ") has no energy data: numbers " + m + " are missing (see docs/cost-models.md)");
    }

    /** The analytical model of the device's kind (cpu, gpu, npu, neuromorphic). */
    private static CostModel analytical(DeviceProfile d) {
        return CostModels.get(d.kind().id());
    }

    /** Why a model that measures time cannot give energy on {@code d}, or empty when it can. */
    public static Optional<String> unknownAtMeasuredTime(DeviceProfile d) {
        Optional<String> model = analytical(d).energyUnknown(d);
        if (model.isPresent() || d.numbers().containsKey("static_power_w")) {
            return model;
        }
        return Optional.of("device '" + d.name() + "' (" + d.origin()
                + ") has no energy data: number static_power_w is missing (see docs/cost-models.md)");
    }

    /**
     * The energy parts of a network that ran {@code ms} (measured): the static power over that time
     * plus the dynamic parts the device's analytical model gives; empty when the device has no
     * energy data.
     */
    public static Optional<Map<String, Double>> atMeasuredTime(Architecture a, Network n, DeviceProfile d, int batch,
            double ms) {
        if (unknownAtMeasuredTime(d).isPresent()) {
            return Optional.empty();
        }
        CostReport model = analytical(d).estimate(a, n, d, batch);
        if (!model.energyKnown()) {
            return Optional.empty();
        }
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put(STATIC, d.number("static_power_w") * ms);
        model.details().forEach((k, v) -> {
            if (k.startsWith("energy_") && !k.equals(STATIC)) {
                parts.put(k, v);
            }
        });
        return Optional.of(parts);
    }

    /** The sum of the parts, mJ. */
    public static double total(Map<String, Double> parts) {
        double sum = 0;
        for (double v : parts.values()) {
            sum += v;
        }
        return sum;
    }
}
