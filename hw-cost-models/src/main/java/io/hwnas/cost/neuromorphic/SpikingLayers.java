package io.hwnas.cost.neuromorphic;

import io.hwnas.core.ir.Layer;
import io.hwnas.cost.Bound;
import io.hwnas.cost.LayerCost;

/** The per-layer breakdown, built on demand: busy time of the layer's synaptic ops and its energy. */
final class SpikingLayers extends io.hwnas.cost.ImmutableLayers {
    private final SnnPlan plan;
    private final FiringRates rates;
    private final double[] sops;
    private final double[] pj;
    private final double steps;
    private final int batch;
    private final double eSyn;
    private final double eNeuron;
    private final double eSpikeMove;
    private final double sopsPerUs;
    private final Bound bound;

    SpikingLayers(SnnPlan plan, FiringRates rates, double[] sops, double[] pj, double steps,
            int batch, double eSyn, double eNeuron, double eSpikeMove, double sopsPerUs, Bound bound) {
        this.plan = plan;
        this.rates = rates;
        this.sops = sops;
        this.pj = pj;
        this.steps = steps;
        this.batch = batch;
        this.eSyn = eSyn;
        this.eNeuron = eNeuron;
        this.eSpikeMove = eSpikeMove;
        this.sopsPerUs = sopsPerUs;
        this.bound = bound;
    }

    @Override
    public LayerCost get(int j) {
        Layer l = plan.network.layers().get(plan.ids[j]);
        double s;
        double e;
        if (sops != null) {
            s = sops[j];
            e = pj[j];
        } else {
            double rate = rates.defaultRate();
            double updates = plan.out[j] * steps * batch;
            s = rate * plan.inScale[j] * steps * plan.out[j] * plan.fan[j] * batch;
            e = s * eSyn + updates * eNeuron + rate * updates * eSpikeMove;
        }
        return new LayerCost(l.name(), l.kind(), s / sopsPerUs / 1000, e * 1e-9, bound);
    }

    @Override
    public int size() {
        return plan.ids.length;
    }
}
