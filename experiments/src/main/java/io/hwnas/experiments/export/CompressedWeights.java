package io.hwnas.experiments.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.WeightInheritance;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpace;
import java.nio.file.Path;
import java.util.List;

/**
 * The float DJL network of a compressed architecture (pruned channels absent) with its weights: a weights file of
 * the compressed network itself, or of its uncompressed base network (as {@code hwnas train --save} writes it),
 * sliced by {@link WeightInheritance} (the channels of largest L2 norm, residual-tied groups together).
 */
public final class CompressedWeights {

    /**
     * The network and where its weights came from.
     *
     * @param block  the float network, weights loaded
     * @param source {@code compressed network}, {@code base network, pruned by weight inheritance} or
     *               {@code initial (seed S)}
     */
    public record Loaded(NetworkBlock block, String source) {
    }

    private CompressedWeights() {
    }

    /** The IR network with every layer at 32/32 bits (what the float exporter and DJL build). */
    public static Network floatCopy(Network n) {
        List<Layer> layers = n.layers().stream().map(l -> l.withBits(32, 32)).toList();
        return new Network(layers, n.declaredParams());
    }

    /**
     * The compressed network of {@code a} with weights from {@code weights} (null: seeded initial weights); its
     * arrays live in {@code m}.
     *
     * @throws IllegalArgumentException naming the file when it fits neither the compressed nor the base network
     */
    public static Loaded load(SearchSpace space, Architecture a, Shape input, int classes, Path weights, long seed,
            NDManager m) {
        Network net = floatCopy(space.network(a, input, classes));
        if (weights == null) {
            DjlRuntime.seed(seed);
            return new Loaded(DjlNetworks.initialized(net, m, DataType.FLOAT32, 1), "initial (seed " + seed + ")");
        }
        if (!java.nio.file.Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("weights file " + weights + " does not exist");
        }
        try {
            return new Loaded(WeightsFile.load(net, weights, m), "compressed network");
        } catch (IllegalArgumentException own) {
            if (!(space instanceof CompressedSpace cs)) {
                throw own;
            }
            Network base = floatCopy(cs.base().network(cs.baseArchitecture(a), input, classes));
            NetworkBlock parent;
            try {
                parent = WeightsFile.load(base, weights, m);
            } catch (IllegalArgumentException other) {
                throw new IllegalArgumentException("weights file " + weights + " fits neither the compressed network"
                        + " of " + a.canonical() + " (" + own.getMessage() + ") nor its base network "
                        + cs.baseArchitecture(a).canonical() + " (" + other.getMessage() + ")", other);
            }
            return new Loaded(inherit(parent, net, m), "base network, pruned by weight inheritance");
        }
    }

    /** A block of {@code child} holding {@code parent}'s weights, pruned where the child is narrower. */
    public static NetworkBlock inherit(NetworkBlock parent, Network child, NDManager m) {
        NetworkBlock c = DjlNetworks.initialized(child, m, DataType.FLOAT32, 1);
        WeightInheritance.inherit(parent, c);
        return c;
    }
}
