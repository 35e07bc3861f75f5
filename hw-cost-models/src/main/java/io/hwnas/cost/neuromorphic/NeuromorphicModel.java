package io.hwnas.cost.neuromorphic;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.cost.Bound;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.LayerCost;
import io.hwnas.cost.device.DeviceKind;
import io.hwnas.cost.device.DeviceProfile;
import java.util.ArrayList;
import java.util.List;

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

    @Override
    public String description() {
        return "ANN-to-SNN conversion with T steps: synaptic ops, neuron updates and spikes; chip limits";
    }

    /** Whether a layer becomes spiking neurons with synapses on the chip. */
    static boolean spiking(Layer l) {
        return switch (l.kind()) {
            case CONV2D, LINEAR, AVG_POOL, MAX_POOL, GLOBAL_AVG_POOL, ADD, CONCAT, SQUEEZE_EXCITE -> true;
            default -> false;
        };
    }

    /** Synaptic fan-in of one neuron of a spiking layer. */
    static long fanIn(Layer l) {
        return switch (l.kind()) {
            case CONV2D -> (long) (l.input().channels() / l.groups()) * l.kernel() * l.kernel();
            case LINEAR -> l.input().elements();
            case AVG_POOL, MAX_POOL -> (long) l.kernel() * l.kernel();
            case GLOBAL_AVG_POOL -> (long) l.input().height() * l.input().width();
            case ADD, CONCAT -> l.inputs().size();
            default -> l.input().channels();
        };
    }

    @Override
    public CostReport estimate(Architecture architecture, Network network, DeviceProfile d, int batch) {
        if (d.kind() != DeviceKind.NEUROMORPHIC) {
            throw new IllegalArgumentException("cost model 'neuromorphic' cannot cost device '" + d.name()
                    + "' of kind " + d.kind().id() + " (the device's default model is '" + d.defaultModel() + "')");
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, but was " + batch);
        }
        double steps = d.number("time_steps");
        double dtUs = d.number("dt_us");
        double eSyn = d.number("e_syn_pj");
        double eNeuron = d.number("e_neuron_pj");
        double eSpikeMove = d.number("e_spike_pj") + d.number("mean_hops") * d.number("e_hop_pj");
        double sopsPerUs = d.number("cores") * d.number("sops_per_us_per_core");
        FiringRates r = rates != null ? rates : FiringRates.uniform(d.number("default_rate"));
        boolean perLayer = !r.byLayer().isEmpty();
        List<Layer> layers = network.layers();
        int n = layers.size();
        double[] outRate = new double[n];
        outRate[0] = r.defaultRate();
        double totalSops = 0;
        double pj = 0;
        long neurons = 0;
        long synapses = 0;
        long coresNeeded = 0;
        long maxFanIn = 0;
        double neuronsPerCore = d.number("neurons_per_core");
        int[] depth = new int[n];
        int pipeline = 0;
        double[] layerSops = new double[n];
        double[] layerPj = new double[n];
        for (int i = 1; i < n; i++) {
            Layer l = layers.get(i);
            double inRate = 0;
            int dep = 0;
            for (int in : l.inputs()) {
                inRate = Math.max(inRate, outRate[in]);
                dep = Math.max(dep, depth[in]);
            }
            if (l.kind() == LayerKind.ZERO) {
                outRate[i] = 0;
                depth[i] = dep;
                continue;
            }
            if (!spiking(l)) {
                // activations and batch norm live inside the neurons of the layer before them
                outRate[i] = perLayer ? r.rate(l.name()) : (l.kind().isActivation() ? r.defaultRate() : inRate);
                depth[i] = dep;
                continue;
            }
            long out = l.output().elements();
            long fan = fanIn(l);
            double sops = inRate * steps * (double) out * fan * batch;
            double updates = (double) out * steps * batch;
            double rateOut = perLayer ? r.rate(l.name()) : r.defaultRate();
            outRate[i] = rateOut;
            double spikes = rateOut * updates;
            layerSops[i] = sops;
            layerPj[i] = sops * eSyn + updates * eNeuron + spikes * eSpikeMove;
            totalSops += sops;
            pj += layerPj[i];
            neurons += out;
            synapses += l.params();
            coresNeeded += (long) Math.ceil(out / neuronsPerCore);
            maxFanIn = Math.max(maxFanIn, fan);
            depth[i] = dep + 1;
            pipeline = Math.max(pipeline, depth[i]);
        }
        double stepUs = Math.max(dtUs, totalSops / steps / sopsPerUs);
        Bound stepBound = stepUs > dtUs ? Bound.COMPUTE : Bound.OVERHEAD;
        double latency = (steps + pipeline) * stepUs / 1000 + d.number("fixed_ms");
        double staticMj = d.number("static_power_w") * latency;
        List<LayerCost> costs = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            Layer l = layers.get(i);
            if (spiking(l)) {
                double busyMs = layerSops[i] / sopsPerUs / 1000;
                costs.add(new LayerCost(l.name(), l.kind(), busyMs, layerPj[i] * 1e-9,
                        stepBound == Bound.COMPUTE ? Bound.COMPUTE : Bound.OVERHEAD));
            }
        }
        List<String> violations = new ArrayList<>();
        long cores = (long) d.number("cores");
        if (coresNeeded > cores) {
            violations.add(String.format("cores: needs %,d cores (%,d neurons at %,.0f per core), device %s has %,d",
                    coresNeeded, neurons, neuronsPerCore, d.name(), cores));
        }
        double neuronCap = cores * neuronsPerCore;
        if (neurons > neuronCap) {
            violations.add(String.format("neurons: needs %,d, device %s has %,.0f", neurons, d.name(), neuronCap));
        }
        double synapseCap = cores * d.number("synapses_per_core");
        if (synapses > synapseCap) {
            violations.add(String.format("synapses: needs %,d, device %s has %,.0f", synapses, d.name(), synapseCap));
        }
        if (maxFanIn > d.number("max_fan_in")) {
            violations.add(String.format("fan-in: a neuron needs %,d inputs, device %s allows %,.0f", maxFanIn,
                    d.name(), d.number("max_fan_in")));
        }
        int bits = layers.get(0).bits();
        if (bits < 32 && bits > d.number("weight_bits")) {
            violations.add(String.format("weight bits: network has %d-bit weights, device %s stores %.0f", bits,
                    d.name(), d.number("weight_bits")));
        }
        long weightBits = Math.min(bits, (long) d.number("weight_bits"));
        long modelBytes = (network.params() * weightBits + 7) / 8;
        return new CostReport(d.name(), name(), batch, latency, pj * 1e-9 + staticMj, modelBytes, modelBytes, costs,
                violations);
    }
}
