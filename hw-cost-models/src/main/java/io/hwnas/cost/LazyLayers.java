package io.hwnas.cost;


/**
 * An immutable per-kernel breakdown built on demand from a plan's unique kernels, so that a search
 * that only reads the totals does not pay for one object per layer.
 */
final class LazyLayers extends ImmutableLayers {

    private final KernelPlan plan;
    private final double[] time;
    private final double[] energy;
    private final Bound[] bound;
    private final AnalyticalModel.Costing costing;

    LazyLayers(KernelPlan plan, double[] time, double[] energy, Bound[] bound, AnalyticalModel.Costing costing) {
        this.plan = plan;
        this.costing = costing;
        this.time = time;
        this.energy = energy;
        this.bound = bound;
    }

    @Override
    public LayerCost get(int index) {
        int k = plan.kernelAt(index);
        return new LayerCost(plan.nameAt(index), plan.kindAt(index), time[k], energy[k], bound[k],
                costing.placement(plan.kernel(k), plan));
    }

    @Override
    public int size() {
        return plan.occurrences();
    }
}
