package io.hwnas.experiments.export;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of an initialised {@link NetworkBlock}, copied out per IR layer name: convolutions and
 * linear layers have {@code weight} (and {@code bias}), batch norms {@code gamma}, {@code beta},
 * {@code runningMean}, {@code runningVar}, squeeze-excite {@code reduce.weight}, {@code reduce.bias},
 * {@code expand.weight}, {@code expand.bias}.
 */
public final class LayerWeights {

    private final Map<String, Map<String, Tensor>> byLayer;

    private LayerWeights(Map<String, Map<String, Tensor>> byLayer) {
        this.byLayer = byLayer;
    }

    /** Copies the parameters of every layer with weights; the block must be initialised. */
    public static LayerWeights of(NetworkBlock block) {
        List<Layer> weighted = new ArrayList<>();
        for (Layer l : block.network().layers()) {
            if (l.kind().hasWeights()) {
                weighted.add(l);
            }
        }
        PairList<String, Block> children = block.getChildren();
        if (children.size() != weighted.size()) {
            throw new IllegalStateException("the DJL block has " + children.size() + " child blocks but the network "
                    + weighted.size() + " layers with weights");
        }
        Map<String, Map<String, Tensor>> out = new HashMap<>();
        for (int i = 0; i < weighted.size(); i++) {
            Layer l = weighted.get(i);
            Pair<String, Block> child = children.get(i);
            if (!child.getKey().endsWith(l.name())) {
                throw new IllegalStateException(
                        "child block " + child.getKey() + " does not belong to layer " + l.name());
            }
            Map<String, Tensor> params = new LinkedHashMap<>();
            if (l.kind() == LayerKind.SQUEEZE_EXCITE) {
                for (Pair<String, Block> sub : child.getValue().getChildren()) {
                    String prefix = sub.getKey().replaceFirst("^[0-9]+", "");
                    copy(sub.getValue(), prefix + ".", params, l);
                }
            } else {
                copy(child.getValue(), "", params, l);
            }
            out.put(l.name(), params);
        }
        return new LayerWeights(out);
    }

    /**
     * Seeded random parameters of the right shapes for every layer with weights (no DJL): what latency
     * measurement needs, where the values do not matter (batch-norm variances are 1, so no value is
     * denormal or infinite).
     */
    public static LayerWeights random(Network net, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        Map<String, Map<String, Tensor>> out = new HashMap<>();
        for (Layer l : net.layers()) {
            if (!l.kind().hasWeights()) {
                continue;
            }
            Map<String, Tensor> p = new LinkedHashMap<>();
            int c = l.output().channels();
            switch (l.kind()) {
                case CONV2D -> p.put("weight", gaussian(random, c, l.input().channels() / l.groups(), l.kernel(),
                        l.kernel()));
                case LINEAR -> p.put("weight", gaussian(random, c, l.input().elements()));
                case BATCH_NORM -> {
                    p.put("gamma", gaussian(random, c));
                    p.put("beta", gaussian(random, c));
                    p.put("runningMean", gaussian(random, c));
                    float[] one = new float[c];
                    java.util.Arrays.fill(one, 1f);
                    p.put("runningVar", new Tensor(new long[] {c}, one));
                }
                case SQUEEZE_EXCITE -> {
                    int h = l.hidden();
                    int ci = l.input().channels();
                    p.put("reduce.weight", gaussian(random, h, ci, 1, 1));
                    p.put("reduce.bias", gaussian(random, h));
                    p.put("expand.weight", gaussian(random, ci, h, 1, 1));
                    p.put("expand.bias", gaussian(random, ci));
                }
                default -> throw new IllegalArgumentException("no random weights for layer kind " + l.kind().id());
            }
            if ((l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR) && l.bias()) {
                p.put("bias", gaussian(random, c));
            }
            out.put(l.name(), p);
        }
        return new LayerWeights(out);
    }

    private static Tensor gaussian(java.util.SplittableRandom random, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        double scale = 1 / Math.sqrt(Math.max(1, n / shape[0]));
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return new Tensor(shape, v);
    }

    private static void copy(Block b, String prefix, Map<String, Tensor> into, Layer l) {
        for (Pair<String, Parameter> p : b.getDirectParameters()) {
            Parameter param = p.getValue();
            if (!param.isInitialized()) {
                throw new IllegalStateException("parameter " + p.getKey() + " of layer " + l.name()
                        + " is not initialised");
            }
            into.put(prefix + p.getKey(),
                    new Tensor(param.getArray().getShape().getShape(), param.getArray().toFloatArray()));
        }
    }

    /** The parameter {@code name} of layer {@code layer}. */
    public Tensor get(String layer, String name) {
        Map<String, Tensor> params = byLayer.get(layer);
        Tensor t = params == null ? null : params.get(name);
        if (t == null) {
            throw new IllegalArgumentException("layer " + layer + " has no parameter " + name
                    + (params == null ? "" : "; it has " + params.keySet()));
        }
        return t;
    }

    /** The parameter or null when the layer has none of that name (e.g. a conv without bias). */
    public Tensor find(String layer, String name) {
        Map<String, Tensor> params = byLayer.get(layer);
        return params == null ? null : params.get(name);
    }
}
