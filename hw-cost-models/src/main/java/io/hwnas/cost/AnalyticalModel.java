package io.hwnas.cost;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.device.KernelClass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Base of the physics models: compiles the network into a {@link KernelPlan}, costs each distinct
 * kernel once with the device's numbers, and sums. Subclasses supply the per-kernel physics and
 * name the profile numbers that calibration may fit.
 */
public abstract class AnalyticalModel implements CostModel {

    /** Length of the array {@link Costing#kernel} writes: energy, bound, compute, on-chip and DRAM energy. */
    protected static final int OUT = 5;

    /** Per-kernel physics with the device numbers read once. */
    protected interface Costing {
        /**
         * Time of one kernel for the batch in ms; writes its energy in mJ to {@code out[0]} (NaN when
         * unknown), the ordinal of its {@link Bound} to {@code out[1]} and the energy's parts in mJ to
         * {@code out[2]} (arithmetic), {@code out[3]} (on-chip memories) and {@code out[4]} (DRAM).
         */
        double kernel(Kernel k, double[] out);

        /** Fixed time per inference, ms. */
        double fixedMs();

        /** Power drawn for the whole latency on top of the kernels' energy (leakage, idle), W. */
        double staticPowerW();

        /** Energy of the fixed time per inference beyond the static power, mJ. */
        default double fixedEnergyMj() {
            return 0;
        }

        /** False when the profile has no energy data: the report's energy is then NaN. */
        default boolean energyKnown() {
            return true;
        }

        /** The layer from which the device runs every kernel on its host CPU ({@link Kernel#host()}); 0: none. */
        default int hostFrom(Network network) {
            return 0;
        }

        /** Where a kernel of {@code plan} runs when not on the device itself, and why; "" on the device. */
        default String placement(Kernel k, KernelPlan plan) {
            return "";
        }
    }

    private record Cached(DeviceProfile device, int batch, Costing costing, double memory, double storage) {
    }

    private volatile Cached last;

    /** The device kinds this model can cost. */
    protected abstract List<DeviceKind> kinds();

    /** The per-kernel physics for a device and batch. */
    protected abstract Costing costing(DeviceProfile device, int batch);

    /** Profile numbers calibration may fit (all positive multipliers of the profile's values). */
    public abstract List<String> freeParameters(DeviceProfile device);

    /** Bit width at which the device runs the network's weights and activations. */
    protected int bits(DeviceProfile device, Network network) {
        return network.layers().get(0).bits();
    }

    /** Bit width at which the device stores a layer's weights (its own; a uniform network's is {@link #bits}). */
    protected int weightBits(DeviceProfile device, Layer layer, int networkBits) {
        return layer.bits();
    }

    /** Bytes of the network's weights on the device: each layer's parameters at {@link #weightBits}. */
    long modelBytes(DeviceProfile device, Network network) {
        int b = bits(device, network);
        int first = network.layers().get(0).bits();
        long sum = 0;
        for (Layer l : network.layers()) {
            sum += l.params() * (l.bits() == first ? b : weightBits(device, l, b));
        }
        return (sum + 7) / 8;
    }

    /** Device limits the network breaks, beyond memory. */
    protected List<String> limits(KernelPlan plan, Network network, DeviceProfile device, int batch) {
        return List.of();
    }

    /** The plan of a network as this device's runtime would run it. */
    public static KernelPlan plan(Network network, DeviceProfile device) {
        return KernelPlan.of(network, GraphRewrites.of(device));
    }

    /** Checks that this model can cost the device. */
    protected final void requireKind(DeviceProfile device) {
        if (!kinds().contains(device.kind())) {
            throw new IllegalArgumentException("cost model '" + name() + "' cannot cost device '" + device.name()
                    + "' of kind " + device.kind().id() + "; it costs " + kinds().stream().map(DeviceKind::id).toList()
                    + " devices (the device's default model is '" + device.defaultModel() + "')");
        }
    }

    /** Reads every profile number and setting the model's physics reads (and the device's kind) once. */
    @Override
    public List<String> check(DeviceProfile device, String space, int batch) {
        try {
            cached(device, batch);
            GraphRewrites.of(device);
            return List.of();
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
    }

    private Cached cached(DeviceProfile device, int batch) {
        Cached c = last;
        if (c != null && c.device == device && c.batch == batch) {
            return c;
        }
        requireKind(device);
        Cached fresh = new Cached(device, batch, costing(device, batch), device.number("memory_bytes"),
                device.number("storage_bytes", Double.POSITIVE_INFINITY));
        last = fresh;
        return fresh;
    }

    @Override
    public Optional<FastPath> fastPath(DeviceProfile device, int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, but was " + batch);
        }
        requireKind(device);
        return Optional.of(new AnalyticalFastPath(this, device, batch, costing(device, batch)));
    }

    private Costing cachedCosting(DeviceProfile device, int batch) {
        return cached(device, batch).costing;
    }

    /** Latency only, from a plan: the fast path of calibration and validation. */
    public double latencyMs(KernelPlan plan, DeviceProfile device, int batch) {
        Costing c = cachedCosting(device, batch);
        double[] out = new double[OUT];
        double sum = c.fixedMs();
        for (int i = 0; i < plan.distinct(); i++) {
            sum += plan.count(i) * c.kernel(plan.kernel(i), out);
        }
        return sum;
    }

    @Override
    public CostReport estimate(Architecture architecture, Network network, DeviceProfile device, int batch) {
        Objects.requireNonNull(network, "network");
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, but was " + batch);
        }
        Cached cache = cached(device, batch);
        Costing c = cache.costing;
        KernelPlan plan = KernelPlan.of(network, GraphRewrites.of(device), c.hostFrom(network));
        int n = plan.distinct();
        double[] time = new double[n];
        double[] energy = new double[n];
        Bound[] bound = new Bound[n];
        Bound[] bounds = Bound.values();
        double[] out = new double[OUT];
        double latency = c.fixedMs();
        double[] parts = new double[3];
        for (int i = 0; i < n; i++) {
            time[i] = c.kernel(plan.kernel(i), out);
            energy[i] = out[0];
            bound[i] = bounds[(int) out[1]];
            latency += plan.count(i) * time[i];
            for (int p = 0; p < parts.length; p++) {
                parts[p] += plan.count(i) * out[2 + p];
            }
        }
        Map<String, Double> details = new LinkedHashMap<>();
        double joules = Double.NaN;
        if (c.energyKnown()) {
            details.put(Energy.STATIC, c.staticPowerW() * latency + c.fixedEnergyMj());
            details.put(Energy.COMPUTE, parts[0]);
            details.put(Energy.ON_CHIP, parts[1]);
            details.put(Energy.DRAM, parts[2]);
            joules = Energy.total(details);
        }
        int bits = bits(device, network);
        long modelBytes = modelBytes(device, network);
        long peak = modelBytes + (plan.peakActivationElements() * batch * bits + 7) / 8;
        List<String> violations = new ArrayList<>(2);
        double memory = cache.memory;
        if (peak > memory) {
            violations.add("memory: needs " + Text.count(peak) + " bytes (weights and peak activations at batch " + batch
                    + "), device " + device.name() + " has " + Text.count(memory));
        }
        double storage = cache.storage;
        if (modelBytes > storage) {
            violations.add("storage: model needs " + Text.count(modelBytes) + " bytes, device " + device.name() + " has "
                    + Text.count(storage));
        }
        violations.addAll(limits(plan, network, device, batch));
        return new CostReport(device.name(), name(), batch, latency, joules, peak, modelBytes,
                new LazyLayers(plan, time, energy, bound, c), violations, details);
    }

    /** Index of the largest of three terms, as a {@link Bound} ordinal (compute, memory, overhead). */
    protected static int argmax(double compute, double memory, double overhead) {
        if (compute >= memory && compute >= overhead) {
            return 0;
        }
        return memory >= overhead ? 1 : 2;
    }

    /** The classic free parameters: per-class efficiencies and overheads, memory efficiency, fixed time. */
    protected static List<String> rooflineParameters() {
        List<String> out = new ArrayList<>();
        for (KernelClass c : KernelClass.values()) {
            out.add("eff_" + c.id());
        }
        out.add("eff_memory");
        for (KernelClass c : KernelClass.values()) {
            out.add("overhead_us_" + c.id());
        }
        out.add("fixed_ms");
        return out;
    }

    /** The per-class numbers of a profile as arrays indexed by {@link KernelClass} ordinal. */
    protected static double[] perClass(DeviceProfile device, String prefix) {
        KernelClass[] cs = KernelClass.values();
        double[] out = new double[cs.length];
        for (int i = 0; i < cs.length; i++) {
            out[i] = device.number(prefix + cs[i].id());
        }
        return out;
    }
}
