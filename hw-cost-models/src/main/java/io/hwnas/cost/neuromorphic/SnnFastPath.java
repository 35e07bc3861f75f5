package io.hwnas.cost.neuromorphic;

import io.hwnas.core.ir.Network;
import io.hwnas.cost.CostRow;
import io.hwnas.cost.CostTable;
import io.hwnas.cost.FastPath;
import io.hwnas.cost.device.DeviceProfile;

/**
 * The fast path of the {@link NeuromorphicModel} with one firing rate for every layer: a row holds
 * the plan's sums (pipeline depth, neurons, synaptic fan) and its memory and violations on the
 * device; an estimate is the model's arithmetic on them, in the model's order.
 */
final class SnnFastPath implements FastPath {

    private static final int PIPELINE = 0;
    private static final int OUT_SUM = 1;
    private static final int FAN = 2;
    private static final int MODEL = 3;
    private static final int BROKEN = 4;

    private final DeviceProfile d;
    private final int batch;
    private final double rate;
    private final double steps;
    private final double dtUs;
    private final double eSyn;
    private final double eNeuron;
    private final double eSpikeMove;
    private final double sopsPerUs;
    private final double fixedMs;
    private final double staticW;

    SnnFastPath(DeviceProfile d, int batch, double rate) {
        this.d = d;
        this.batch = batch;
        this.rate = rate;
        this.steps = d.number("time_steps");
        this.dtUs = d.number("dt_us");
        this.eSyn = d.number("e_syn_pj");
        this.eNeuron = d.number("e_neuron_pj");
        this.eSpikeMove = d.number("e_spike_pj") + d.number("mean_hops") * d.number("e_hop_pj");
        this.sopsPerUs = d.number("cores") * d.number("sops_per_us_per_core");
        this.fixedMs = d.number("fixed_ms");
        this.staticW = d.number("static_power_w");
    }

    @Override
    public CostRow compile(Network network) {
        SnnPlan plan = new SnnPlan(network);
        long coresNeeded = SnnPlan.coresNeeded(plan, d.number("neurons_per_core"), d.number("synapses_per_core"));
        long weightBits = Math.min(network.maxWeightBits(), (long) d.number("weight_bits"));
        long modelBytes = (plan.params * weightBits + 7) / 8;
        int broken = NeuromorphicModel.limits(plan, d, coresNeeded).size();
        return new CostRow(new int[0], new double[] {plan.pipeline, plan.outSum, plan.synapticFan, modelBytes,
                broken});
    }

    @Override
    public void cost(CostRow row, double[] out, int at) {
        double[] n = row.numbers();
        double updates = n[OUT_SUM] * steps * batch;
        double totalSops = rate * steps * batch * n[FAN];
        double stepUs = Math.max(dtUs, totalSops / steps / sopsPerUs);
        double latency = (steps + (int) n[PIPELINE]) * stepUs / 1000 + fixedMs;
        double energy = 0;
        energy += staticW * latency;
        energy += totalSops * eSyn * 1e-9;
        energy += updates * eNeuron * 1e-9;
        energy += rate * updates * eSpikeMove * 1e-9;
        out[at + CostTable.LATENCY] = latency;
        out[at + CostTable.ENERGY] = energy;
        out[at + CostTable.MEMORY] = n[MODEL];
        out[at + CostTable.MODEL_BYTES] = n[MODEL];
        out[at + CostTable.VIOLATIONS] = n[BROKEN];
    }
}
