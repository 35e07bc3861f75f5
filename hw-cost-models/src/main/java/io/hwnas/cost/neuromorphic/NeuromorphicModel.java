package io.hwnas.cost.neuromorphic;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.Bound;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.Energy;
import io.hwnas.cost.FastPath;
import io.hwnas.cost.LayerCost;
import io.hwnas.cost.NetworkCache;
import io.hwnas.cost.Text;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Neuromorphic model: the network converted to a rate-coded spiking network that runs T time steps.
 * Convolutions, linear layers, pools and adds become spiking neurons with synapses; batch norm folds
 * into the weights and activations into the neurons. Per layer, synaptic ops = input firing rate x T
 * x MACs, neuron updates = neurons x T, spikes = output rate x neurons x T; energy = SOP x E_syn +
 * updates x E_neuron + spikes x (E_spike + hops x E_hop) + static power x latency. A time step lasts
 * {@code dt} or longer when the cores cannot process its synaptic ops in {@code dt}; latency is (T +
 * pipeline depth) steps. The chip's cores, neurons per core, synapses per core, fan-in and weight
 * bits are enforced as violations. Firing rates are the profile's {@code default_rate} unless a
 * model with measured rates is made with {@link #withRates}.
 */
public final class NeuromorphicModel implements CostModel {

    /** Energy of the synaptic operations, mJ. */
    public static final String SYNAPTIC = "energy_synaptic_mj";
    /** Energy of the neuron updates, mJ. */
    public static final String NEURON = "energy_neuron_mj";
    /** Energy of moving the spikes (within a tile and over the mesh), mJ. */
    public static final String SPIKE = "energy_spike_mj";

    private final FiringRates rates;

    /** The model with the profile's default firing rate (the one the registry holds). */
    public NeuromorphicModel() {
        this(null);
    }

    private NeuromorphicModel(FiringRates rates) {
        this.rates = rates;
    }

    /** A model that uses measured (or chosen) firing rates instead of the profile default. */
    public static NeuromorphicModel withRates(FiringRates rates) {
        return new NeuromorphicModel(rates);
    }

    @Override
    public String name() {
        return "neuromorphic";
    }

    /** The device is a neuromorphic chip. */
    @Override
    public List<String> check(DeviceProfile d, String space, int batch) {
        if (d.kind() != DeviceKind.NEUROMORPHIC) {
            return List.of("cost model 'neuromorphic' cannot cost device '" + d.name() + "' of kind " + d.kind().id()
                    + " (the device's default model is '" + d.defaultModel() + "')");
        }
        return List.of();
    }

    @Override
    public String description() {
        return "ANN-to-SNN conversion with T steps: synaptic ops, neuron updates and spikes; chip limits";
    }

    /**
     * The chip's use against its limits: cores used and available, and the fullest core's neurons
     * and synapses (and synapse memory at the chip's weight bits) against the per-core limits.
     */
    static Map<String, Double> coreUse(SnnPlan plan, DeviceProfile d, long coresNeeded, long weightBits) {
        double npc = d.number("neurons_per_core");
        double spc = d.number("synapses_per_core");
        double neurons = 0;
        double synapses = 0;
        for (int j = 0; j < plan.out.length; j++) {
            long cores = SnnPlan.layerCores(plan, j, npc, spc);
            neurons = Math.max(neurons, Math.ceil(plan.out[j] / cores));
            synapses = Math.max(synapses, Math.ceil(plan.syn[j] / cores));
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("cores_used", (double) coresNeeded);
        m.put("cores", d.number("cores"));
        m.put("peak_neurons_per_core", neurons);
        m.put("neurons_per_core", npc);
        m.put("peak_synapses_per_core", synapses);
        m.put("synapses_per_core", spc);
        m.put("peak_synapse_bytes_per_core", Math.ceil(synapses * weightBits / 8.0));
        return m;
    }

    @Override
    public Optional<FastPath> fastPath(DeviceProfile d, int batch) {
        if (d.kind() != DeviceKind.NEUROMORPHIC) {
            throw new IllegalArgumentException("cost model 'neuromorphic' cannot cost device '" + d.name()
                    + "' of kind " + d.kind().id() + " (the device's default model is '" + d.defaultModel() + "')");
        }
        if (rates != null && !rates.byLayer().isEmpty()) {
            return Optional.empty();
        }
        double rate = rates != null ? rates.defaultRate() : d.number("default_rate");
        return Optional.of(new SnnFastPath(d, batch, rate));
    }

    private static final NetworkCache<SnnPlan> PLANS = new NetworkCache<>(4096);

    @Override
    public CostReport estimate(Architecture architecture, Network network, DeviceProfile d, int batch) {
        List<String> problems = check(d, architecture.space(), batch);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, but was " + batch);
        }
        SnnPlan plan = PLANS.get(network, 0, SnnPlan::new);
        double steps = d.number("time_steps");
        double dtUs = d.number("dt_us");
        double eSyn = d.number("e_syn_pj");
        double eNeuron = d.number("e_neuron_pj");
        double eSpikeMove = d.number("e_spike_pj") + d.number("mean_hops") * d.number("e_hop_pj");
        double sopsPerUs = d.number("cores") * d.number("sops_per_us_per_core");
        double neuronsPerCore = d.number("neurons_per_core");
        FiringRates r = rates != null ? rates : FiringRates.uniform(d.number("default_rate"));
        Activity act = activity(plan, r, steps, batch, eSyn, eNeuron, eSpikeMove);
        double totalSops = act.totalSops();
        double[] partsPj = act.partsPj();
        long coresNeeded = SnnPlan.coresNeeded(plan, neuronsPerCore, d.number("synapses_per_core"));
        double stepUs = Math.max(dtUs, totalSops / steps / sopsPerUs);
        Bound bound = stepUs > dtUs ? Bound.COMPUTE : Bound.OVERHEAD;
        double latency = (steps + plan.pipeline) * stepUs / 1000 + d.number("fixed_ms");
        Map<String, Double> details = new LinkedHashMap<>();
        details.put(Energy.STATIC, d.number("static_power_w") * latency);
        details.put(SYNAPTIC, partsPj[0] * 1e-9);
        details.put(NEURON, partsPj[1] * 1e-9);
        details.put(SPIKE, partsPj[2] * 1e-9);
        double energy = Energy.total(details);
        long weightBits = Math.min(network.maxWeightBits(), (long) d.number("weight_bits"));
        details.putAll(coreUse(plan, d, coresNeeded, weightBits));
        details.put("mean_firing_rate", meanRate(plan, r));
        List<LayerCost> costs = new SpikingLayers(plan, r, act.sops(), act.pj(), steps, batch, eSyn, eNeuron,
                eSpikeMove, sopsPerUs, bound);
        List<String> violations = limits(plan, d, coresNeeded);
        long modelBytes = (plan.params * weightBits + 7) / 8;
        return new CostReport(d.name(), name(), batch, latency, energy, modelBytes, modelBytes, costs, violations,
                details);
    }

    /**
     * Synaptic ops and energy parts (synaptic ops, neuron updates, spikes, in pJ) of one inference;
     * per layer ({@code sops}, {@code pj}) only when the rates are per layer, else {@code null}.
     */
    private record Activity(double totalSops, double[] partsPj, double[] sops, double[] pj) {
    }

    private static Activity activity(SnnPlan plan, FiringRates r, double steps, int batch, double eSyn, double eNeuron,
            double eSpikeMove) {
        int k = plan.ids.length;
        double totalSops;
        double[] partsPj = new double[3]; // synaptic ops, neuron updates, spikes
        double[] sops = null;
        double[] pj = null;
        if (r.byLayer().isEmpty()) { // one rate: the sums are precomputed per network
            double rate = r.defaultRate();
            double updates = plan.outSum * steps * batch;
            totalSops = rate * steps * batch * plan.synapticFan;
            partsPj[0] = totalSops * eSyn;
            partsPj[1] = updates * eNeuron;
            partsPj[2] = rate * updates * eSpikeMove;
        } else {
            double[] inRate = inputRates(plan, r);
            sops = new double[k];
            pj = new double[k];
            totalSops = 0;
            for (int j = 0; j < k; j++) {
                double updates = plan.out[j] * steps * batch;
                sops[j] = inRate[j] * steps * plan.out[j] * plan.fan[j] * batch;
                double spikes = rateAfter(plan, j, r) * updates * eSpikeMove;
                pj[j] = sops[j] * eSyn + updates * eNeuron + spikes;
                totalSops += sops[j];
                partsPj[0] += sops[j] * eSyn;
                partsPj[1] += updates * eNeuron;
                partsPj[2] += spikes;
            }
        }
        return new Activity(totalSops, partsPj, sops, pj);
    }

    /** The mean output firing rate of the spiking layers, weighted by their neurons. */
    private static double meanRate(SnnPlan plan, FiringRates r) {
        if (r.byLayer().isEmpty()) {
            return r.defaultRate();
        }
        double sum = 0;
        double n = 0;
        for (int j = 0; j < plan.ids.length; j++) {
            sum += rateAfter(plan, j, r) * plan.out[j];
            n += plan.out[j];
        }
        return n > 0 ? sum / n : r.defaultRate();
    }

    /** The firing rate of each spiking layer's input. */
    private static double[] inputRates(SnnPlan plan, FiringRates r) {
        double[] in = new double[plan.ids.length];
        List<Layer> layers = plan.network.layers();
        for (int j = 0; j < in.length; j++) {
            if (r.byLayer().isEmpty()) {
                in[j] = plan.inScale[j] * r.defaultRate();
            } else {
                double best = 0;
                for (int src : layers.get(plan.ids[j]).inputs()) {
                    best = Math.max(best, rateOf(layers, src, r));
                }
                in[j] = plan.inScale[j] * best;
            }
        }
        return in;
    }

    /** The measured rate of the activation a layer's output comes from (walking back through BN, adds, pools). */
    private static double rateOf(List<Layer> layers, int id, FiringRates r) {
        Layer l = layers.get(id);
        if (l.kind().isActivation() || r.byLayer().containsKey(l.name())) {
            return r.rate(l.name());
        }
        if (l.kind() == LayerKind.ZERO) {
            return 0;
        }
        if (l.inputs().isEmpty()) {
            return r.defaultRate();
        }
        double best = 0;
        for (int in : l.inputs()) {
            best = Math.max(best, rateOf(layers, in, r));
        }
        return best;
    }

    private static double rateAfter(SnnPlan plan, int j, FiringRates r) {
        return rateOf(plan.network.layers(), plan.ids[j], r);
    }

    static List<String> limits(SnnPlan plan, DeviceProfile d, long coresNeeded) {
        List<String> violations = new ArrayList<>();
        long cores = (long) d.number("cores");
        double neuronsPerCore = d.number("neurons_per_core");
        if (coresNeeded > cores) {
            violations.add("cores: needs " + Text.count(coresNeeded) + " cores (" + Text.count(plan.neurons)
                    + " neurons and " + Text.count(plan.synapses) + " synapses, one layer per core group, at most "
                    + Text.count(neuronsPerCore) + " neurons and " + Text.count(d.number("synapses_per_core"))
                    + " synapses per core), device " + d.name() + " has " + Text.count(cores));
        }
        double neuronCap = cores * neuronsPerCore;
        if (plan.neurons > neuronCap) {
            violations.add("neurons: needs " + Text.count(plan.neurons) + ", device " + d.name() + " has "
                    + Text.count(neuronCap));
        }
        double synapseCap = cores * d.number("synapses_per_core");
        if (plan.synapses > synapseCap) {
            violations.add("synapses: needs " + Text.count(plan.synapses) + ", device " + d.name() + " has "
                    + Text.count(synapseCap));
        }
        if (plan.maxFanIn > d.number("max_fan_in")) {
            violations.add("fan-in: a neuron needs " + Text.count(plan.maxFanIn) + " inputs, device " + d.name()
                    + " allows " + Text.count(d.number("max_fan_in")));
        }
        int bits = plan.network.maxWeightBits();
        if (bits < 32 && bits > d.number("weight_bits")) {
            violations.add("weight bits: network has " + bits + "-bit weights, device " + d.name() + " stores "
                    + Text.count(d.number("weight_bits")));
        }
        return violations;
    }
}
