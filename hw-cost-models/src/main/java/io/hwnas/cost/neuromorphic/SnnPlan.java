package io.hwnas.cost.neuromorphic;

import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import java.util.ArrayList;
import java.util.List;

/** The spiking layers of a network in order, with what the energy and the limits need. */
final class SnnPlan {
    final Network network;
    final int[] ids;
    final double[] out;
    final double[] fan;
    final double[] inScale;
    final double[] syn;
    final long neurons;
    final long synapses;
    final long params;
    final double synapticFan;
    final double outSum;
    private volatile double[] coresFor = {-1, -1, 0};
    final long maxFanIn;
    final int pipeline;


    SnnPlan(Network network) {
        this.network = network;
        List<Layer> layers = network.layers();
        int n = layers.size();
        double[] active = new double[n]; // 1 where a layer's output can carry spikes, 0 behind a zero op
        int[] depth = new int[n];
        active[0] = 1;
        List<Integer> idList = new ArrayList<>();
        long neuronSum = 0;
        long synapseSum = 0;
        long fanMax = 0;
        int deepest = 0;
        for (int i = 1; i < n; i++) {
            Layer l = layers.get(i);
            double a = 0;
            int dep = 0;
            for (int in : l.inputs()) {
                a = Math.max(a, active[in]);
                dep = Math.max(dep, depth[in]);
            }
            if (l.kind() == LayerKind.ZERO) {
                active[i] = 0;
                depth[i] = dep;
            } else if (!spiking(l)) {
                active[i] = l.kind().isActivation() ? 1 : a;
                depth[i] = dep;
            } else {
                active[i] = 1;
                depth[i] = dep + 1;
                deepest = Math.max(deepest, depth[i]);
                idList.add(i);
                neuronSum += l.output().elements();
                synapseSum += l.params();
                fanMax = Math.max(fanMax, fanIn(l));
            }
        }
        int k = idList.size();
        ids = new int[k];
        out = new double[k];
        fan = new double[k];
        inScale = new double[k];
        syn = new double[k];
        fill(layers, idList, active);
        neurons = neuronSum;
        synapses = synapseSum;
        params = network.params();
        double sf = 0;
        double os = 0;
        for (int j = 0; j < k; j++) {
            sf += inScale[j] * out[j] * fan[j];
            os += out[j];
        }
        synapticFan = sf;
        outSum = os;
        maxFanIn = fanMax;
        pipeline = deepest;
    }

    /** Fills the per-spiking-layer arrays; {@code active} says which layers' outputs can carry spikes. */
    private void fill(List<Layer> layers, List<Integer> idList, double[] active) {
        for (int j = 0; j < idList.size(); j++) {
            Layer l = layers.get(idList.get(j));
            ids[j] = l.id();
            syn[j] = l.params();
            out[j] = l.output().elements();
            fan[j] = fanIn(l);
            double a = 0;
            for (int in : l.inputs()) {
                a = Math.max(a, active[in]);
            }
            inScale[j] = a;
        }
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

    /**
     * Cores of one spiking layer: whole cores, enough for its neurons at {@code neuronsPerCore} and
     * for its synapses (weights) at {@code synapsesPerCore}, its neurons and synapses spread evenly.
     */
    static long layerCores(SnnPlan plan, int j, double neuronsPerCore, double synapsesPerCore) {
        return Math.max(1, Math.max((long) Math.ceil(plan.out[j] / neuronsPerCore),
                (long) Math.ceil(plan.syn[j] / synapsesPerCore)));
    }

    /** Cores when every spiking layer takes whole cores ({@link #layerCores}). */
    static long coresNeeded(SnnPlan plan, double neuronsPerCore, double synapsesPerCore) {
        double[] c = plan.coresFor;
        if (c[0] == neuronsPerCore && c[1] == synapsesPerCore) {
            return (long) c[2];
        }
        long sum = 0;
        for (int j = 0; j < plan.out.length; j++) {
            sum += layerCores(plan, j, neuronsPerCore, synapsesPerCore);
        }
        plan.coresFor = new double[] {neuronsPerCore, synapsesPerCore, sum};
        return sum;
    }
}
