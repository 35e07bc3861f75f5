package io.hwnas.cost.table;

import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The kernels a runtime launches for a network, as nn-Meter tables them: a convolution or linear layer
 * with the batch norms and activations that follow it in a chain (what ONNX Runtime fuses), or one
 * other layer. Identities and single-input sums are free and have no kernel, and a weightless layer
 * that repeats an earlier one on the same inputs is computed once (ONNX Runtime's common subexpression
 * elimination, e.g. the ReLUs of NAS-Bench-201 edges leaving one node). Each kernel has a
 * signature (the {@link Lut#signature} of its layers, joined by {@code " + "}) and can be rebuilt as a
 * one-kernel network, so it can be timed on a device on its own.
 */
public final class KernelUnits {

    /**
     * One kernel.
     *
     * @param signature its layers' signatures at batch 1, joined by {@code " + "}
     * @param layers    the layers, first the one whose input the kernel reads
     */
    public record Unit(String signature, List<Layer> layers) {
        public Unit {
            layers = List.copyOf(layers);
        }
    }

    private KernelUnits() {
    }

    /** The kernels of a network in execution order (repeats included). */
    public static List<Unit> of(Network network) {
        List<Layer> layers = network.layers();
        int n = layers.size();
        List<List<Integer>> readers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            readers.add(new ArrayList<>());
        }
        for (Layer l : layers) {
            for (int in : l.inputs()) {
                readers.get(in).add(l.id());
            }
        }
        boolean[] skipped = network.zerosReadOnlyBySums();
        boolean[] live = network.computedLayers(skipped);
        boolean[] absorbed = new boolean[n];
        boolean[] repeated = network.repeatedLayers(live, skipped);
        List<Unit> out = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            Layer l = layers.get(i);
            if (!live[i] || absorbed[i] || l.kind() == LayerKind.IDENTITY
                    || (l.kind() == LayerKind.ADD || l.kind() == LayerKind.CONCAT)
                    && l.inputs().stream().filter(k -> !skipped[k]).count() < 2) {
                continue;
            }
            if (repeated[i]) {
                continue; // the runtime computes a repeated weightless operator on the same inputs once
            }
            List<Layer> unit = new ArrayList<>(List.of(l));
            if (l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR) {
                int last = i;
                while (readers.get(last).size() == 1) {
                    Layer next = layers.get(readers.get(last).get(0));
                    if (next.kind() != LayerKind.BATCH_NORM && !next.kind().isActivation()) {
                        break;
                    }
                    absorbed[next.id()] = true;
                    unit.add(next);
                    last = next.id();
                }
            }
            out.add(new Unit(signature(unit), unit));
        }
        return out;
    }

    private static String signature(List<Layer> unit) {
        StringBuilder s = new StringBuilder();
        for (Layer l : unit) {
            s.append(s.length() == 0 ? "" : " + ").append(Lut.signature(l, 1));
        }
        return s.toString();
    }

    /** Whether the kernel's output has its input's shape, so copies of it can run one after another. */
    public static boolean chains(Unit unit) {
        List<Layer> l = unit.layers();
        return l.get(l.size() - 1).output().equals(l.get(0).input());
    }

    /**
     * The kernel as a network of its own: one input of the first layer's input shape, fed to every
     * operand of a sum; with {@code copies > 1}, that many copies of the kernel one after another.
     *
     * @throws IllegalArgumentException for a concatenation of different shapes (no one-input form), or
     *                                  copies of a kernel that does not {@link #chains}
     */
    public static Network network(Unit unit, int copies) {
        if (copies < 1 || copies > 1 && !chains(unit)) {
            throw new IllegalArgumentException("kernel " + unit.signature() + " cannot run as " + copies + " copies");
        }
        Layer first = unit.layers().get(0);
        NetworkBuilder b = new NetworkBuilder(first.input(), first.bits());
        int x = b.input();
        for (int c = 0; c < copies; c++) {
            for (Layer l : unit.layers()) {
                x = replay(b, l, c == 0 ? l.name() : l.name() + "#" + c, x);
            }
        }
        return b.build();
    }

    private static int replay(NetworkBuilder b, Layer l, String n, int x) {
        List<Integer> all = Collections.nCopies(Math.max(1, l.inputs().size()), x);
        return switch (l.kind()) {
            case CONV2D -> b.conv(n, x, l.output().channels(), l.kernel(), l.stride(), l.padding(), l.groups(),
                    l.bias());
            case BATCH_NORM -> b.batchNorm(n, x);
            case RELU, RELU6, HSWISH, SIGMOID -> b.activation(n, l.kind(), x);
            case ADD -> b.add(n, all);
            case CONCAT -> {
                for (Shape s : l.inputShapes()) {
                    if (!s.equals(l.input())) {
                        throw new IllegalArgumentException("layer " + n + " concatenates " + l.inputShapes()
                                + "; a kernel table times only concatenations of one shape");
                    }
                }
                yield b.concat(n, all);
            }
            case AVG_POOL -> b.avgPool(n, x, l.kernel(), l.stride(), l.padding());
            case MAX_POOL -> b.maxPool(n, x, l.kernel(), l.stride(), l.padding());
            case GLOBAL_AVG_POOL -> b.globalAvgPool(n, x);
            case LINEAR -> b.linear(n, x, l.output().channels(), l.bias());
            case SQUEEZE_EXCITE -> b.squeezeExcite(n, x, l.hidden());
            case CHANNEL_SHUFFLE -> b.channelShuffle(n, x, l.groups());
            case ZERO -> b.zero(n, x);
            case IDENTITY -> b.identity(n, x);
            case INPUT -> throw new IllegalArgumentException("layer " + n + ": an input is not a kernel");
        };
    }
}
