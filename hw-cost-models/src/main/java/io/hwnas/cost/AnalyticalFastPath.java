package io.hwnas.cost;

import io.hwnas.core.ir.Network;
import io.hwnas.cost.device.DeviceProfile;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The fast path of an {@link AnalyticalModel}: kernels are interned to ids and costed once per
 * device and batch into primitive arrays; an estimate sums count x time and count x energy parts
 * over a row's ids in the plan's order, exactly as {@link AnalyticalModel#estimate} does.
 */
final class AnalyticalFastPath implements FastPath {

    private static final int PEAK = 0;
    private static final int MODEL = 1;
    private static final int BROKEN = 2;

    private final AnalyticalModel model;
    private final DeviceProfile device;
    private final int batch;
    private final AnalyticalModel.Costing costing;
    private final GraphRewrites rewrites;
    private final double memory;
    private final double storage;
    private final Map<Kernel, Integer> ids = new HashMap<>();
    private final double[] out = new double[AnalyticalModel.OUT];
    private double[] time = new double[64];
    private double[] compute = new double[64];
    private double[] onChip = new double[64];
    private double[] dram = new double[64];

    AnalyticalFastPath(AnalyticalModel model, DeviceProfile device, int batch, AnalyticalModel.Costing costing) {
        this.model = model;
        this.device = device;
        this.batch = batch;
        this.costing = costing;
        this.rewrites = GraphRewrites.of(device);
        this.memory = device.number("memory_bytes");
        this.storage = device.number("storage_bytes", Double.POSITIVE_INFINITY);
    }

    @Override
    public CostRow compile(Network network) {
        KernelPlan plan = KernelPlan.compact(network, rewrites, costing.hostFrom(network));
        int n = plan.distinct();
        int[] kernels = new int[2 * n];
        for (int i = 0; i < n; i++) {
            kernels[2 * i] = intern(plan.kernel(i));
            kernels[2 * i + 1] = plan.count(i);
        }
        int bits = model.bits(device, network);
        long modelBytes = model.modelBytes(device, network);
        long peak = modelBytes + (plan.peakActivationElements() * batch * bits + 7) / 8;
        int broken = (peak > memory ? 1 : 0) + (modelBytes > storage ? 1 : 0)
                + model.limits(plan, network, device, batch).size();
        return new CostRow(kernels, new double[] {peak, modelBytes, broken});
    }

    private int intern(Kernel k) {
        Integer id = ids.get(k);
        if (id != null) {
            return id;
        }
        int next = ids.size();
        if (next == time.length) {
            time = Arrays.copyOf(time, next * 2);
            compute = Arrays.copyOf(compute, next * 2);
            onChip = Arrays.copyOf(onChip, next * 2);
            dram = Arrays.copyOf(dram, next * 2);
        }
        time[next] = costing.kernel(k, out);
        compute[next] = out[2];
        onChip[next] = out[3];
        dram[next] = out[4];
        ids.put(k, next);
        return next;
    }

    @Override
    public void cost(CostRow row, double[] result, int at) {
        int[] k = row.kernels();
        double latency = costing.fixedMs();
        double p0 = 0;
        double p1 = 0;
        double p2 = 0;
        for (int i = 0; i < k.length; i += 2) {
            int id = k[i];
            int count = k[i + 1];
            latency += count * time[id];
            p0 += count * compute[id];
            p1 += count * onChip[id];
            p2 += count * dram[id];
        }
        double energy = Double.NaN;
        if (costing.energyKnown()) {
            energy = costing.staticPowerW() * latency + costing.fixedEnergyMj();
            energy += p0;
            energy += p1;
            energy += p2;
        }
        double[] n = row.numbers();
        result[at + CostTable.LATENCY] = latency;
        result[at + CostTable.ENERGY] = energy;
        result[at + CostTable.MEMORY] = n[PEAK];
        result[at + CostTable.MODEL_BYTES] = n[MODEL];
        result[at + CostTable.VIOLATIONS] = n[BROKEN];
    }
}
