package io.hwnas.core.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A subnet layer's parameters taken from the supernet's: the same layer name in the largest network, its
 * channel dimensions sliced to their first entries, and a depthwise kernel smaller than the kept one cropped
 * from the centre and passed through the kernel-transform matrices, one size at a time (7 to 5, then 5 to 3).
 * The arrays are views and products of the supernet's parameters, so gradients flow back into them.
 */
final class ElasticWeights {

    private final Network full;
    private final NetworkBlock weights;
    private final Map<String, Parameter> transforms;
    private final List<Integer> kernels;
    private final Map<String, Layer> byName = new HashMap<>();

    ElasticWeights(NetworkBlock weights, Map<String, Parameter> transforms, List<Integer> kernels) {
        this.full = weights.network();
        this.weights = weights;
        this.transforms = transforms;
        this.kernels = kernels;
        for (Layer l : full.layers()) {
            byName.put(l.name(), l);
        }
    }

    /** The key of the transform matrix from kernel {@code from} to {@code to} of a depthwise layer. */
    static String transformKey(String layer, int from, int to) {
        return layer + "." + from + "to" + to;
    }

    /** The supernet layer of a subnet layer's name. */
    Layer supernetLayer(Layer sub) {
        Layer sup = byName.get(sub.name());
        if (sup == null || sup.kind() != sub.kind()) {
            throw new IllegalArgumentException("the supernet has no " + sub.kind().id() + " layer " + sub.name());
        }
        return sup;
    }

    /** The supernet parameters of a layer, by their names in {@link #params(Block)}. */
    Map<String, Parameter> supernetParams(Layer sup) {
        return params(weights.layerBlock(sup.id()));
    }

    /**
     * The parameters of a subnet layer with weights, named as {@link #params(Block)} names the parameters of
     * the layer's block in a {@link NetworkBlock}; new arrays in {@code m}.
     */
    Map<String, NDArray> of(Layer sub, NDManager m) {
        Layer sup = supernetLayer(sub);
        Map<String, Parameter> src = supernetParams(sup);
        Map<String, NDArray> out = new LinkedHashMap<>();
        int c = sub.output().channels();
        switch (sub.kind()) {
            case CONV2D -> {
                out.put("weight", convWeight(sub, sup, src.get("weight").getArray(), m));
                if (sub.bias()) {
                    out.put("bias", slice(src.get("bias"), m, c));
                }
            }
            case BATCH_NORM -> {
                for (String name : List.of("gamma", "beta", "runningMean", "runningVar")) {
                    out.put(name, slice(src.get(name), m, c));
                }
            }
            case LINEAR -> {
                out.put("weight", slice(src.get("weight"), m, c, (int) sub.input().elements()));
                if (sub.bias()) {
                    out.put("bias", slice(src.get("bias"), m, c));
                }
            }
            case SQUEEZE_EXCITE -> {
                int h = sub.hidden();
                out.put("reduce_weight", slice(src.get("reduce_weight"), m, h, c));
                out.put("reduce_bias", slice(src.get("reduce_bias"), m, h));
                out.put("expand_weight", slice(src.get("expand_weight"), m, c, h));
                out.put("expand_bias", slice(src.get("expand_bias"), m, c));
            }
            default -> throw new IllegalStateException("layer kind " + sub.kind() + " has no weights");
        }
        return out;
    }

    private NDArray convWeight(Layer sub, Layer sup, NDArray w, NDManager m) {
        if (sub.isDepthwise() != sup.isDepthwise() || sub.stride() != sup.stride()
                || (sub.groups() != 1 && !sub.isDepthwise())) {
            throw new IllegalArgumentException("the supernet's " + sup.name() + " cannot serve the subnet's");
        }
        int in = sub.isDepthwise() ? 1 : sub.input().channels();
        NDArray sliced = slice(w, m, sub.output().channels(), in);
        return sub.kernel() == sup.kernel() ? sliced : shrinkKernel(sup, sliced, sub.kernel());
    }

    /**
     * The centre {@code target x target} of a depthwise kernel, stepping down through each served kernel size:
     * crop the centre, then multiply the flattened kernels by that step's transform matrix.
     */
    private NDArray shrinkKernel(Layer sup, NDArray w, int target) {
        long channels = w.getShape().get(0);
        int current = sup.kernel();
        NDArray k = w;
        for (int i = kernels.size() - 1; i >= 0 && current > target; i--) {
            int next = kernels.get(i);
            if (next >= current) {
                continue;
            }
            int off = (current - next) / 2;
            NDArray crop = k.get(new NDIndex(":, :, " + off + ":" + (off + next) + ", " + off + ":" + (off + next)));
            Parameter t = transforms.get(transformKey(sup.name(), current, next));
            k = crop.reshape(channels, (long) next * next).matMul(t.getArray()).reshape(channels, 1, next, next);
            current = next;
        }
        if (current != target) {
            throw new IllegalArgumentException("the supernet's " + sup.name() + " serves kernels " + kernels
                    + ", not " + target);
        }
        return k;
    }

    /** The first {@code sizes[d]} entries of each leading dimension {@code d} of a parameter. */
    private static NDArray slice(Parameter p, NDManager m, int... sizes) {
        return slice(p.getArray(), m, sizes);
    }

    private static NDArray slice(NDArray a, NDManager m, int... sizes) {
        StringBuilder index = new StringBuilder();
        for (int d = 0; d < sizes.length; d++) {
            if (sizes[d] > a.getShape().get(d)) {
                throw new IllegalArgumentException("a subnet needs " + sizes[d] + " entries of dimension " + d
                        + " of a supernet parameter of shape " + a.getShape());
            }
            index.append(d == 0 ? "" : ", ").append(':').append(sizes[d]);
        }
        return a.get(m, new NDIndex(index.toString()));
    }

    /**
     * A block's parameters by name, with DJL's child-number prefixes dropped: {@code weight}, {@code bias},
     * {@code gamma}, {@code beta}, {@code runningMean}, {@code runningVar}, {@code reduce_weight}, ...
     */
    static Map<String, Parameter> params(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (var pair : block.getParameters()) {
            String[] parts = pair.getKey().split("_");
            StringBuilder name = new StringBuilder();
            for (String part : parts) {
                name.append(name.length() == 0 ? "" : "_").append(part.replaceFirst("^\\d+", ""));
            }
            out.put(name.toString(), pair.getValue());
        }
        return out;
    }
}
