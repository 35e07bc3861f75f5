package io.hwnas.cost.npu;

import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.AnalyticalModel;
import io.hwnas.cost.Kernel;
import io.hwnas.cost.KernelPlan;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.device.KernelClass;
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
        return stored(network.layers().get(0).bits(), precisionBits(device), supported(device));
    }

    /**
     * The bit widths the array runs, ascending (setting {@code precisions}, e.g. {@code int8} for the
     * Edge TPU; default every width). A narrower layer runs at the next supported width up; a wider
     * one goes to the host CPU, or, with setting {@code fallback: none}, makes the network infeasible.
     */
    static int[] supported(DeviceProfile d) {
        String s = d.setting("precisions", "");
        if (s.isBlank()) {
            return new int[] {1, 2, 4, 8, 16, 32};
        }
        return java.util.Arrays.stream(s.split(",")).mapToInt(t -> switch (t.trim()) {
            case "int4" -> 4;
            case "int8" -> 8;
            case "int16", "fp16", "bf16" -> 16;
            case "fp32" -> 32;
            default -> throw new IllegalArgumentException(d.origin() + ": setting precisions lists '" + t.trim()
                    + "'; expected some of [int4, int8, int16, fp16, bf16, fp32]");
        }).sorted().toArray();
    }

    /** The width a layer's {@code bits} are stored at: 32 (float) is the device precision. */
    static int stored(int bits, int precision, int[] supported) {
        return Math.max(bits < 32 ? bits : precision, supported[0]);
    }

    /** The supported width a kernel of {@code bits} runs at, or -1 when the array cannot run it. */
    static int runBits(int bits, int[] supported) {
        for (int s : supported) {
            if (s >= bits) {
                return s;
            }
        }
        return -1;
    }

    @Override
    protected int weightBits(DeviceProfile device, Layer layer, int networkBits) {
        return stored(layer.bits(), precisionBits(device), supported(device));
    }

    @Override
    protected List<String> limits(KernelPlan plan, Network network, DeviceProfile d, int batch) {
        if (!d.choice("fallback", "host", "host", "none").equals("none")) {
            return List.of();
        }
        int precision = precisionBits(d);
        int[] supported = supported(d);
        for (Layer l : network.layers()) {
            int b = Math.max(stored(l.bits(), precision, supported), stored(l.activationBits(), precision, supported));
            if (l.macs() > 0 && runBits(b, supported) < 0) {
                return List.of("precision: layer " + l.name() + " runs at " + b + " bits, device " + d.name()
                        + " supports " + java.util.Arrays.toString(supported) + " bits and declares no fallback");
            }
        }
        return List.of();
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
        return new NpuCosting(d, batch);
    }

    /** The numbers of one profile and batch, read once, and the cost of a kernel from them. */
    private static final class NpuCosting implements Costing {
        private final int batch;
        private final Systolic flow;
        private final int precision;
        private final boolean poolOnArray;
        private final Set<LayerKind> fallback;
        private final int rows;
        private final int cols;
        private final double cyclesPerMs;
        private final double vector;
        private final double buffer;
        private final double paramCache;
        private final double bytesPerMs;
        private final double hostFlopsPerMs;
        private final double eMac8;
        private final double eMac32;
        private final double eRf;
        private final double eBuf;
        private final double eDram;
        private final double[] eff;
        private final double[] overheadMs;
        private final double staticW;
        private final double fixed;
        private final int[] supported;
        private final double int4Speedup;
        private final boolean prefix;
        private final String device;

        NpuCosting(DeviceProfile d, int batch) {
            this.batch = batch;
            flow = Systolic.parse(d.setting("dataflow", "ws"), d.origin());
            precision = precisionBits(d);
            poolOnArray = d.choice("pooling", "vector", "vector", "array").equals("array");
            fallback = unsupported(d);
            rows = (int) d.number("array_rows");
            cols = (int) d.number("array_cols");
            cyclesPerMs = d.number("clock_mhz") * 1e3;
            vector = d.number("vector_ops_per_cycle");
            buffer = d.number("buffer_bytes");
            paramCache = d.number("param_cache_bytes", 0);
            bytesPerMs = d.number("eff_memory") * d.number("bandwidth_gbs") * 1e6;
            hostFlopsPerMs = d.number("host_gflops") * 1e6;
            eMac8 = d.number("e_mac8_pj");
            eMac32 = d.number("e_mac32_pj");
            eRf = d.number("e_rf_pj_per_byte");
            eBuf = d.number("e_buffer_pj_per_byte");
            eDram = d.number("e_dram_pj_per_byte");
            eff = perClass(d, "eff_");
            overheadMs = perClass(d, "overhead_us_");
            for (int i = 0; i < overheadMs.length; i++) {
                overheadMs[i] /= 1000;
            }
            staticW = d.number("static_power_w");
            fixed = d.number("fixed_ms");
            supported = supported(d);
            int4Speedup = Math.max(1, d.number("int4_speedup", 1));
            prefix = d.choice("partition", "kernels", "kernels", "prefix").equals("prefix");
            device = d.name();
        }

        /** The width the array runs a kernel at, or -1 when it cannot. */
        private int runBits(Kernel k) {
            int wb = stored(k.bits(), precision, supported);
            return NpuModel.runBits(Math.max(wb, stored(k.activationBits(), precision, supported)), supported);
        }

        /**
         * With {@code partition: prefix} (the Edge TPU compiler: "as soon as an unsupported operation
         * occurs, that operation and everything after it executes on the CPU"), the first layer in
         * graph order whose kind the device does not support or whose bits it cannot run; else 0.
         */
        @Override
        public int hostFrom(Network network) {
            if (!prefix) {
                return 0;
            }
            List<Layer> layers = network.layers();
            for (int i = 1; i < layers.size(); i++) {
                Layer l = layers.get(i);
                if (l.kind() == LayerKind.IDENTITY) {
                    continue;
                }
                int b = Math.max(stored(l.bits(), precision, supported), stored(l.activationBits(), precision,
                        supported));
                if (fallback.contains(l.kind()) || NpuModel.runBits(b, supported) < 0) {
                    return i;
                }
            }
            return 0;
        }

        @Override
        public String placement(Kernel k, KernelPlan plan) {
            if (fallback.contains(k.kind())) {
                return "host: " + k.kind().id() + " is not supported by " + device;
            }
            if (runBits(k) < 0) {
                return "host: " + Math.max(stored(k.bits(), precision, supported), stored(k.activationBits(),
                        precision, supported)) + "-bit, " + device + " runs " + java.util.Arrays.toString(supported)
                        + " bits";
            }
            if (k.host()) {
                return "host: after " + plan.hostFrom() + ", the first op " + device + " cannot run (partition: "
                        + "prefix, everything after it runs on the host)";
            }
            return "";
        }

        @Override
        public double kernel(Kernel k, double[] out) {
            int wb = stored(k.bits(), precision, supported);
            double bytesPerElement = stored(k.activationBits(), precision, supported) / 8.0;
            int bits = runBits(k);
            int c = k.cls().ordinal();
            double w = k.weightBytes(wb);
            double in = (double) k.inElements() * batch * bytesPerElement;
            double o = (double) k.outElements() * batch * bytesPerElement;
            double overhead = overheadMs[c] * k.launches();
            if (fallback.contains(k.kind()) || bits < 0 || k.host()) {
                return onHost(k, c, w, in, o, overhead, out);
            }
            double macEnergy = bits >= 32 ? eMac32 : eMac8 * (bits / 8.0) * (bits / 8.0);
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
            double compute = cycles / (eff[c] * cyclesPerMs) / (bits <= 4 ? int4Speedup : 1);
            double dram = dramBytes(w, in, o);
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

        /** A kernel the array does not support, run on the host with a round trip through DRAM. */
        private double onHost(Kernel k, int c, double w, double in, double o, double overhead, double[] out) {
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

        /** Bytes moved to and from DRAM: weights (unless cached) once or per tile, inputs and outputs. */
        private double dramBytes(double w, double in, double o) {
            double weightsFromDram = w <= paramCache ? 0 : w;
            if (w + in + o <= buffer) {
                return weightsFromDram + in + o;
            }
            double tiles = Math.max(1, Math.ceil(w / (buffer / 2)));
            return weightsFromDram + in * tiles + o;
        }

        @Override
        public double fixedMs() {
            return fixed;
        }

        @Override
        public double staticPowerW() {
            return staticW;
        }
    }
}
