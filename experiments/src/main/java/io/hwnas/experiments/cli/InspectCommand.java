package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.export.CompressionLayers;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas inspect}: the IR of one architecture, layer by layer, with its size and memory. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show an architecture's layers, parameters, MACs, model bytes and peak memory.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpaceOptions space;

    @Option(names = "--arch", required = true, description = "the architecture string (or an NB201 index)")
    String arch;

    @Option(names = "--input", description = "input shape CxHxW (default: the space's)")
    String input;

    @Option(names = "--classes", description = "number of classes (default: the space's)")
    Integer classes;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        SearchSpace s = io.hwnas.core.space.compress.CompressedSpaces.forText(space.resolve(), arch);
        Architecture a = s.parse(arch);
        Shape in = input == null ? s.defaultInput() : Shape.parse(input);
        if (classes != null && classes <= 0) {
            throw new UsageException("--classes must be a positive integer, but was " + classes);
        }
        int k = classes == null ? s.defaultClasses() : classes;
        Network n = s.network(a, in, k);
        PrintWriter out = spec.commandLine().getOut();
        var compression = CompressionLayers.of(s, a, in, k);
        if (json) {
            ObjectNode o = toJson(s, a, n);
            compression.ifPresent(c -> o.set("compression", CompressionLayers.json(c)));
            Json.print(out, o);
        } else {
            print(out, a, n);
            compression.ifPresent(c -> CompressionLayers.print(out, c));
            out.flush();
        }
        return 0;
    }

    static ObjectNode toJson(SearchSpace s, Architecture a, Network n) {
        ObjectNode o = Json.object();
        o.put("space", s.name());
        o.put("arch", a.canonical());
        o.set("vector", Json.MAPPER.valueToTree(a.vector()));
        o.set("options", Json.MAPPER.valueToTree(s.options()));
        o.put("input", n.inputShape().toString());
        o.put("output", n.outputShape().toString());
        o.put("params", n.declaredParams());
        o.put("params_built", n.params());
        o.put("macs", n.macs());
        o.put("bit_ops", n.bitOps());
        o.put("model_bytes", n.modelBytes());
        o.put("peak_activation_bytes", n.peakActivationBytes());
        ArrayNode layers = o.putArray("layers");
        for (Layer l : n.layers()) {
            ObjectNode j = layers.addObject();
            j.put("id", l.id());
            j.put("name", l.name());
            j.put("kind", l.kind().id());
            j.set("inputs", Json.MAPPER.valueToTree(l.inputs()));
            j.put("output", l.output().toString());
            if (l.kernel() > 0) {
                j.put("kernel", l.kernel());
                j.put("stride", l.stride());
                j.put("padding", l.padding());
            }
            if (l.groups() > 0) {
                j.put("groups", l.groups());
            }
            if (l.hidden() > 0) {
                j.put("hidden", l.hidden());
            }
            j.put("params", l.params());
            j.put("macs", l.macs());
            j.put("weight_bits", l.bits());
            j.put("activation_bits", l.activationBits());
            j.put("weight_bytes", l.weightBytes());
            j.put("input_bytes", l.inputBytes());
            j.put("output_bytes", l.outputBytes());
        }
        return o;
    }

    private static void print(PrintWriter out, Architecture a, Network n) {
        out.printf("%s  %s%n%n", a.space(), a.canonical());
        out.printf("%-4s %-46s %-16s %-12s %12s %14s%n", "id", "layer", "kind", "output", "params", "MACs");
        for (Layer l : n.layers()) {
            out.printf("%-4d %-46s %-16s %-12s %,12d %,14d%n", l.id(), l.name(), l.kind().id(), l.output(), l.params(),
                    l.macs());
        }
        out.println();
        out.printf("input %s -> output %s, %d layers%n", n.inputShape(), n.outputShape(), n.layers().size());
        out.printf("params                %,d%s%n", n.declaredParams(),
                n.declaredParams() == n.params() ? "" : String.format(" declared, %,d built", n.params()));
        out.printf("MACs                  %,d (%.2f M)%n", n.macs(), n.macs() / 1e6);
        out.printf("BitOps                %,d%n", n.bitOps());
        out.printf("model bytes           %,d%n", n.modelBytes());
        out.printf("peak activation bytes %,d (one sample, sequential schedule)%n", n.peakActivationBytes());
        out.flush();
    }
}
