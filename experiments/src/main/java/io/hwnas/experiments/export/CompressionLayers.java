package io.hwnas.experiments.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpace;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The compression of a compressed architecture, layer by layer: each convolution's and linear layer's
 * weight and activation bits and its output channels kept out of the uncompressed network's.
 */
public final class CompressionLayers {

    /**
     * One layer with MACs.
     *
     * @param name           the layer name
     * @param weightBits     weight bits
     * @param activationBits activation bits
     * @param kept           output channels kept
     * @param channels       output channels of the uncompressed network
     */
    public record Row(String name, int weightBits, int activationBits, int kept, int channels) {
    }

    private CompressionLayers() {
    }

    /** The rows of {@code a}; empty when {@code space} has no compression decisions. */
    public static Optional<List<Row>> of(SearchSpace space, Architecture a, Shape input, int classes) {
        if (!(space instanceof CompressedSpace cs)) {
            return Optional.empty();
        }
        Network n = cs.network(a, input, classes);
        Network base = cs.base().network(cs.baseArchitecture(a), input, classes);
        List<Row> rows = new ArrayList<>();
        for (Layer l : n.layers()) {
            if (l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR) {
                rows.add(new Row(l.name(), l.bits(), l.activationBits(), l.output().channels(),
                        base.layers().get(l.id()).output().channels()));
            }
        }
        return Optional.of(rows);
    }

    /** The rows as a JSON array of {name, weight_bits, activation_bits, kept_channels, channels}. */
    public static ArrayNode json(List<Row> rows) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Row r : rows) {
            ObjectNode o = out.addObject();
            o.put("name", r.name());
            o.put("weight_bits", r.weightBits());
            o.put("activation_bits", r.activationBits());
            o.put("kept_channels", r.kept());
            o.put("channels", r.channels());
        }
        return out;
    }

    /** The rows as a table. */
    public static void print(PrintWriter out, List<Row> rows) {
        out.printf("%-46s %6s %6s %14s%n", "compressed layer", "wbits", "abits", "kept channels");
        for (Row r : rows) {
            out.printf("%-46s %6d %6d %14s%n", r.name(), r.weightBits(), r.activationBits(),
                    r.kept() + "/" + r.channels());
        }
        out.println();
    }
}
