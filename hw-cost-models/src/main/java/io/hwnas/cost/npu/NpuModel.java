package io.hwnas.cost.npu;

import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.Kernel;
import io.hwnas.cost.device.KernelClass;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * NPU model: convolutions and linear layers on a systolic array (SCALE-Sim cycle counts for the
 * profile's dataflow), other ops on a vector unit (or, with {@code pooling: array}, pooling as a
 * convolution on the array), DRAM traffic from buffer tiling, Eyeriss-style energy per MAC and per
 * byte moved at each memory level, int8/int4/int16/fp32 precision, and ops the NPU does not support
 * on the host CPU.
 */
public final class NpuModel extends AnalyticalModel {

    @Override
    public String name() {
        return "npu";
    }

    @Override
    public String description() {
        return "systolic array (SCALE-Sim cycles, os/ws/is), buffer tiling, energy per access, CPU fallback";
    }

    @Override
    protected List<DeviceKind> kinds() {
        return List.of(DeviceKind.NPU);
    }

    @Override
    public List<String> freeParameters(DeviceProfile device) {
        return rooflineParameters();
    }

    /** The bit width of the device's precision setting (int4, int8, int16, fp16, fp32). */
    public static int precisionBits(DeviceProfile d) {
        String p = d.setting("precision", "int8");
        return switch (p) {
            case "int4" -> 4;
            case "int8" -> 8;
            case "int16", "fp16", "bf16" -> 16;
            case "fp32" -> 32;
            default -> throw new IllegalArgumentException(d.origin() + ": setting precision = '" + p
                    + "' is not allowed; expected one of [int4, int8, int16, fp16, bf16, fp32]");
        };
    }

    @Override
    protected int bits(DeviceProfile device, Network network) {
        int b = network.layers().get(0).bits();
        return b < 32 ? b : precisionBits(device);
    }

    static Set<LayerKind> unsupported(DeviceProfile d) {
        Set<LayerKind> out = EnumSet.noneOf(LayerKind.class);
        for (String s : d.setting("unsupported", "").split(",")) {
            String t = s.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                out.add(LayerKind.valueOf(t.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(d.origin() + ": setting unsupported lists '" + t
                        + "', which is not a layer kind; expected names like conv2d, hswish, squeeze_excite");
            }
        }
        return out;
    }

    @Override
    protected Costing costing(DeviceProfile d, int batch) {
        Systolic flow = Systolic.parse(d.setting("dataflow", "ws"), d.origin());
        int precision = precisionBits(d);
        boolean poolOnArray = d.choice("pooling", "vector", "vector", "array").equals("array");
        Set<LayerKind> fallback = unsupported(d);
        int rows = (int) d.number("array_rows");
        int cols = (int) d.number("array_cols");
        double cyclesPerMs = d.number("clock_mhz") * 1e3;
        double vector = d.number("vector_ops_per_cycle");
        double buffer = d.number("buffer_bytes");
        double paramCache = d.number("param_cache_bytes", 0);
        double bytesPerMs = d.number("eff_memory") * d.number("bandwidth_gbs") * 1e6;
        double hostFlopsPerMs = d.number("host_gflops") * 1e6;
        double eMac8 = d.number("e_mac8_pj");
        double eMac32 = d.number("e_mac32_pj");
        double eRf = d.number("e_rf_pj_per_byte");
        double eBuf = d.number("e_buffer_pj_per_byte");
        double eDram = d.number("e_dram_pj_per_byte");
        double[] eff = perClass(d, "eff_");
        double[] overheadMs = perClass(d, "overhead_us_");
        for (int i = 0; i < overheadMs.length; i++) {
            overheadMs[i] /= 1000;
        }
        double staticW = d.number("static_power_w");
        double fixed = d.number("fixed_ms");
        return new Costing() {
            @Override
            public double kernel(Kernel k, double[] out) {
                int bits = k.bits() < 32 ? k.bits() : precision;
                double bytesPerElement = bits / 8.0;
                double macEnergy = bits >= 32 ? eMac32 : eMac8 * (bits / 8.0) * (bits / 8.0);
                int c = k.cls().ordinal();
                double w = k.weightBytes(bits);
                double in = (double) k.inElements() * batch * bytesPerElement;
                double o = (double) k.outElements() * batch * bytesPerElement;
                double overhead = overheadMs[c] * k.launches();
                if (fallback.contains(k.kind())) {
                    double compute = k.ops() * batch / (eff[c] * hostFlopsPerMs);
                    double memory = (w + in + o) / bytesPerMs;
                    double t = compute + memory + overhead;
                    out[2] = k.ops() * batch * eMac32 / 2 * 1e-9;
                    out[3] = 0;
                    out[4] = (w + in + o) * eDram * 1e-9;
                    out[0] = out[2] + out[4];
                    out[1] = 2; // the round trip to the host dominates
                    return t;
                }
                double cycles;
                double bufferBytes;
                boolean array = k.onArray() || (poolOnArray && k.kind() != LayerKind.GLOBAL_AVG_POOL
                        && k.cls() == KernelClass.POOL);
                if (array) {
                    double pixels = (double) k.outPixels() * batch;
                    double filters = (double) k.outChannels() / k.groups();
                    double window = k.onArray() ? k.window() : (double) k.window() * k.outChannels();
                    cycles = flow.cycles(pixels, filters, window, k.groups(), rows, cols);
                    bufferBytes = flow.bufferBytes(pixels, filters, window, k.groups(), rows, cols, w, in, o);
                } else {
                    cycles = Math.ceil(Math.max(1, k.otherOps() + k.macs()) * batch / vector);
                    bufferBytes = in + o + w;
                }
                double compute = cycles / (eff[c] * cyclesPerMs);
                double weightsFromDram = w <= paramCache ? 0 : w;
                double dram;
                if (w + in + o <= buffer) {
                    dram = weightsFromDram + in + o;
                } else {
                    double tiles = Math.max(1, Math.ceil(w / (buffer / 2)));
                    dram = weightsFromDram + in * tiles + o;
                }
                double memory = dram / bytesPerMs;
                double t = Math.max(compute, memory) + overhead;
                double macs = (double) k.macs() * batch;
                out[2] = (macs * macEnergy + k.otherOps() * batch * macEnergy / 2) * 1e-9;
                out[3] = (3 * macs * bytesPerElement * eRf + bufferBytes * eBuf) * 1e-9;
                out[4] = dram * eDram * 1e-9;
                out[0] = out[2] + out[3] + out[4];
                out[1] = argmax(compute, memory, overhead);
                return t;
            }

            @Override
            public double fixedMs() {
                return fixed;
            }

            @Override
            public double staticPowerW() {
                return staticW;
            }
        };
    }
}
