package io.hwnas.experiments.export;

import static io.hwnas.experiments.export.graph.GraphWriter.integer;
import static io.hwnas.experiments.export.graph.GraphWriter.ints;
import static io.hwnas.experiments.export.graph.GraphWriter.real;

import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.experiments.export.graph.GraphWriter;
import io.hwnas.experiments.export.graph.OnnxNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;

/**
 * Writes an IR {@link Network} with the parameters of its initialised DJL {@link NetworkBlock} as an
 * ONNX model (opset {@value #OPSET}): one input {@value #INPUT} (batch x C x H x W, batch symbolic) and
 * one output {@value #OUTPUT}, evaluating what the block computes in inference mode.
 */
public final class OnnxExporter {

    /** The ONNX operator set the models import. */
    public static final int OPSET = 17;
    /** The ONNX IR version written (IR 8 is the one of opset 17). */
    public static final int IR_VERSION = 8;
    public static final String INPUT = OnnxNames.INPUT;
    public static final String OUTPUT = OnnxNames.OUTPUT;
    /** The symbolic batch dimension of input and output. */
    public static final String BATCH = "batch";
    /** The batch-norm epsilon {@link NetworkBlock} builds with. */
    static final float BN_EPSILON = 1e-5f;

    private final boolean foldBatchNorm;

    /**
     * @param foldBatchNorm the deployment form: fold each batch norm into the convolution it follows (when that
     *                      convolution feeds nothing else), leave out {@code zero} layers read only by sums with
     *                      another input ({@link Network#zerosReadOnlyBySums}; a sum left with one input is that
     *                      input) and every layer only they read ({@link Network#computedLayers}), write the other
     *                      zeros as zero-weight depthwise convolutions, and write each sum as a chain of two-input
     *                      Adds, which ONNX Runtime fuses into the convolution that computes an operand (it does not
     *                      fuse Sum, and converts its blocked layout back and forth around one). Otherwise keep
     *                      BatchNormalization nodes, a multiplication by 0 per zero layer, every layer and Sum
     *                      nodes, as the IR says.
     */
    public OnnxExporter(boolean foldBatchNorm) {
        this.foldBatchNorm = foldBatchNorm;
    }

    /** The exporter that folds batch norms (what deployment and int8 quantisation want). */
    public static OnnxExporter folding() {
        return new OnnxExporter(true);
    }

    /**
     * The ONNX model of the block's network with its current parameters.
     *
     * @param metadata model metadata properties (space, architecture, device costs, ...)
     * @throws UnsupportedArchitectureException naming the layer that ONNX cannot express as exported
     */
    public ModelProto export(NetworkBlock block, Map<String, String> metadata) {
        check(block.network());
        return export(block.network(), LayerWeights.of(block), metadata);
    }

    /**
     * The ONNX model of a network with the given parameters (e.g. {@link LayerWeights#random}).
     *
     * @throws UnsupportedArchitectureException naming the layer that ONNX cannot express as exported
     */
    public ModelProto export(Network net, LayerWeights w, Map<String, String> metadata) {
        check(net);
        GraphProto.Builder g = GraphProto.newBuilder().setName("hwnas");
        GraphWriter gw = new GraphWriter(g);
        List<Layer> layers = net.layers();
        int last = layers.size() - 1;
        int[] consumers = net.consumers();
        String[] tensor = new String[layers.size()];
        boolean[] folded = new boolean[layers.size()];
        boolean[] skipped = foldBatchNorm ? net.zerosReadOnlyBySums() : new boolean[layers.size()];
        boolean[] computed = net.computedLayers(skipped);
        tensor[0] = INPUT;
        Shape in = net.inputShape();
        g.addInput(GraphWriter.floatValue(INPUT, BATCH, in.channels(), in.height(), in.width()));
        for (int i = 1; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (skipped[i] || foldBatchNorm && !computed[i]) {
                continue; // read only by sums, which leave it out, or by nothing that is computed
            }
            String out = i == last ? OUTPUT : l.name();
            List<String> ins = new ArrayList<>();
            for (int k : l.inputs()) {
                ins.add(tensor[k]);
            }
            Layer next = nextBatchNorm(layers, l, consumers);
            if (l.kind() == LayerKind.CONV2D && foldBatchNorm && next != null) {
                folded[next.id()] = true;
                tensor[i] = null; // the conv writes the batch norm's tensor
                conv(gw, l, ins.get(0), next.id() == last ? OUTPUT : next.name(), w, next);
                continue;
            }
            if (folded[i]) {
                tensor[i] = out; // written by the convolution it was folded into
                continue;
            }
            if (foldBatchNorm && l.kind() == LayerKind.ADD) {
                tensor[i] = addChain(gw, l, live(l, tensor, skipped), out, i == last);
                continue;
            }
            tensor[i] = out;
            emit(gw, l, ins, out, w);
        }
        Layer o = net.output();
        if (o.kind() == LayerKind.LINEAR) {
            g.addOutput(GraphWriter.floatValue(OUTPUT, BATCH, o.output().channels()));
        } else {
            Shape s = o.output();
            g.addOutput(GraphWriter.floatValue(OUTPUT, BATCH, s.channels(), s.height(), s.width()));
        }
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("hwnas")
                .setProducerVersion(version()).setDomain("io.hwnas").setModelVersion(1)
                .setDocString("exported by hwnas from the architecture IR and its DJL parameters")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(g);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    private static List<String> live(Layer sum, String[] tensor, boolean[] skipped) {
        List<String> ins = new ArrayList<>();
        for (int k : sum.inputs()) {
            if (!skipped[k]) {
                ins.add(tensor[k]);
            }
        }
        return ins;
    }

    /** Writes a sum as Adds, left to right; returns the tensor holding it (its one operand when it has one). */
    private static String addChain(GraphWriter gw, Layer sum, List<String> ins, String out, boolean output) {
        if (ins.size() == 1) {
            if (!output) {
                return ins.get(0);
            }
            gw.node("Identity", sum.name(), ins, List.of(out));
            return out;
        }
        String acc = ins.get(0);
        for (int k = 1; k < ins.size(); k++) {
            String to = k == ins.size() - 1 ? out : sum.name() + "/add" + k;
            gw.node("Add", k == ins.size() - 1 ? sum.name() : to, List.of(acc, ins.get(k)), List.of(to));
            acc = to;
        }
        return out;
    }

    private static String version() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static Layer nextBatchNorm(List<Layer> layers, Layer conv, int[] consumers) {
        if (conv.kind() != LayerKind.CONV2D || consumers[conv.id()] != 1) {
            return null;
        }
        for (int j = conv.id() + 1; j < layers.size(); j++) {
            Layer c = layers.get(j);
            if (c.inputs().contains(conv.id())) {
                return c.kind() == LayerKind.BATCH_NORM ? c : null;
            }
        }
        return null;
    }

    /** Fails naming every layer the exporter cannot write. */
    static void check(Network net) {
        List<String> bad = new ArrayList<>();
        for (Layer l : net.layers()) {
            if (l.bits() != 32) {
                bad.add("layer " + l.name() + " is at " + l.bits() + " bits; the float exporter writes 32-bit IR"
                        + " networks (int8 is exported by quantising the float model, --int8)");
            }
            if (l.kind() == LayerKind.INPUT && l.id() != 0) {
                bad.add("layer " + l.name() + " is a second INPUT; ONNX models here have one input");
            }
            switch (l.kind()) {
                case AVG_POOL, MAX_POOL, CONV2D -> {
                    if (l.kernel() <= 0 || l.stride() <= 0 || l.padding() < 0) {
                        bad.add("layer " + l.name() + " has kernel " + l.kernel() + ", stride " + l.stride()
                                + ", padding " + l.padding() + "; kernel and stride must be positive");
                    } else if (l.kind() != LayerKind.CONV2D && l.padding() >= l.kernel()) {
                        bad.add("layer " + l.name() + " pads " + l.padding() + " with kernel " + l.kernel()
                                + "; ONNX pooling needs padding < kernel");
                    }
                    if (l.kind() == LayerKind.CONV2D && (l.groups() <= 0 || l.input().channels() % l.groups() != 0
                            || l.output().channels() % l.groups() != 0)) {
                        bad.add("layer " + l.name() + " has " + l.groups() + " groups, which do not divide "
                                + l.input().channels() + " input and " + l.output().channels() + " output channels");
                    }
                }
                case CHANNEL_SHUFFLE -> {
                    if (l.groups() < 2 || l.input().channels() % l.groups() != 0) {
                        bad.add("layer " + l.name() + " shuffles " + l.input().channels() + " channels in "
                                + l.groups() + " groups; groups must be > 1 and divide the channels");
                    }
                }
                case ADD, CONCAT -> {
                    if (l.inputs().isEmpty()) {
                        bad.add("layer " + l.name() + " has no inputs");
                    }
                }
                default -> {
                }
            }
        }
        if (!bad.isEmpty()) {
            throw new UnsupportedArchitectureException("cannot export to ONNX: " + String.join("; ", bad));
        }
    }

    private void emit(GraphWriter gw, Layer l, List<String> ins, String out, LayerWeights w) {
        String x = ins.get(0);
        String n = l.name();
        switch (l.kind()) {
            case CONV2D -> conv(gw, l, x, out, w, null);
            case BATCH_NORM -> {
                int c = l.output().channels();
                long[] dims = {c};
                String scale = gw.floats(n + ".gamma", dims, expect(w.get(n, "gamma"), l, c).data());
                String bias = gw.floats(n + ".beta", dims, expect(w.get(n, "beta"), l, c).data());
                String mean = gw.floats(n + ".running_mean", dims, expect(w.get(n, "runningMean"), l, c).data());
                String var = gw.floats(n + ".running_var", dims, expect(w.get(n, "runningVar"), l, c).data());
                gw.node("BatchNormalization", n, List.of(x, scale, bias, mean, var), List.of(out),
                        real("epsilon", BN_EPSILON));
            }
            case RELU -> gw.node("Relu", n, List.of(x), List.of(out));
            case RELU6 -> {
                String lo = gw.floats(n + ".min", new long[0], new float[] {0f});
                String hi = gw.floats(n + ".max", new long[0], new float[] {6f});
                gw.node("Clip", n, List.of(x, lo, hi), List.of(out));
            }
            case HSWISH -> gw.node("HardSwish", n, List.of(x), List.of(out));
            case SIGMOID -> gw.node("Sigmoid", n, List.of(x), List.of(out));
            case ADD -> {
                if (ins.size() == 1) {
                    gw.node("Identity", n, ins, List.of(out));
                } else {
                    gw.node(ins.size() == 2 ? "Add" : "Sum", n, ins, List.of(out));
                }
            }
            case CONCAT -> gw.node("Concat", n, ins, List.of(out), integer("axis", 1));
            case AVG_POOL -> gw.node("AveragePool", n, List.of(x), List.of(out), ints("kernel_shape", l.kernel(),
                    l.kernel()), ints("strides", l.stride(), l.stride()), pads(l), integer("count_include_pad", DjlSemantics.avgPoolCountsPadding() ? 1 : 0),
                    integer("ceil_mode", 0));
            case MAX_POOL -> gw.node("MaxPool", n, List.of(x), List.of(out), ints("kernel_shape", l.kernel(),
                    l.kernel()), ints("strides", l.stride(), l.stride()), pads(l), integer("ceil_mode", 0));
            case GLOBAL_AVG_POOL -> gw.node("GlobalAveragePool", n, List.of(x), List.of(out));
            case LINEAR -> linear(gw, l, x, out, w);
            case SQUEEZE_EXCITE -> squeezeExcite(gw, l, x, out, w);
            case CHANNEL_SHUFFLE -> {
                Shape s = l.input();
                long g = l.groups();
                String split = gw.longs(n + ".split_shape", new long[] {5},
                        new long[] {0, g, s.channels() / g, s.height(), s.width()});
                String back = gw.longs(n + ".shape", new long[] {4},
                        new long[] {0, s.channels(), s.height(), s.width()});
                gw.node("Reshape", n + "/split", List.of(x, split), List.of(n + "/split"));
                gw.node("Transpose", n + "/transpose", List.of(n + "/split"), List.of(n + "/transpose"),
                        ints("perm", 0, 2, 1, 3, 4));
                gw.node("Reshape", n, List.of(n + "/transpose", back), List.of(out));
            }
            case IDENTITY -> gw.node("Identity", n, List.of(x), List.of(out));
            case ZERO -> zero(gw, l, x, out);
            default -> throw new UnsupportedArchitectureException(
                    "cannot export layer " + n + ": layer kind " + l.kind().id() + " has no ONNX form here");
        }
    }

    /**
     * A zero layer: a Mul by 0 as the IR says, or, in the deployment form (which keeps a zero only when something
     * other than a sum reads it), a depthwise 1x1 convolution with zero weights. It equals a multiplication by 0, but
     * ONNX Runtime runs it in the channel-blocked layout of the convolutions around it; a Mul by a scalar is not
     * blocked, so each one costs layout reorders before and after it and keeps the ReLU after it from fusing (220
     * sampled nb201 networks, one thread: with Mul 40 took over 1.2x the time they take with this convolution, up
     * to 1.9x; median 1.03x).
     */
    private void zero(GraphWriter gw, Layer l, String x, String out) {
        if (!foldBatchNorm) {
            String zero = gw.floats(l.name() + ".zero", new long[0], new float[] {0f});
            gw.node("Mul", l.name(), List.of(x, zero), List.of(out));
            return;
        }
        int c = l.output().channels();
        String w = gw.floats(l.name() + ".zero", new long[] {c, 1, 1, 1}, new float[c]);
        gw.node("Conv", l.name(), List.of(x, w), List.of(out), ints("kernel_shape", 1, 1), integer("group", c));
    }

    private static onnx.Onnx.AttributeProto pads(Layer l) {
        int p = l.padding();
        return ints("pads", p, p, p, p);
    }

    private static void conv(GraphWriter gw, Layer l, String x, String out, LayerWeights w, Layer bn) {
        String n = l.name();
        int cout = l.output().channels();
        long[] expected = {cout, l.input().channels() / l.groups(), l.kernel(), l.kernel()};
        Tensor weight = expect(w.get(n, "weight"), l, expected);
        Tensor bias = w.find(n, "bias");
        float[] wd = weight.data();
        float[] bd = bias == null ? null : expect(bias, l, cout).data();
        if (bn != null) {
            float[] gamma = expect(w.get(bn.name(), "gamma"), bn, cout).data();
            float[] beta = expect(w.get(bn.name(), "beta"), bn, cout).data();
            float[] mean = expect(w.get(bn.name(), "runningMean"), bn, cout).data();
            float[] var = expect(w.get(bn.name(), "runningVar"), bn, cout).data();
            wd = wd.clone();
            float[] folded = new float[cout];
            int per = wd.length / cout;
            for (int c = 0; c < cout; c++) {
                double k = gamma[c] / Math.sqrt((double) var[c] + BN_EPSILON);
                for (int j = 0; j < per; j++) {
                    wd[c * per + j] = (float) (wd[c * per + j] * k);
                }
                double b0 = bd == null ? 0 : bd[c];
                folded[c] = (float) ((b0 - mean[c]) * k + beta[c]);
            }
            bd = folded;
        }
        List<String> ins = new ArrayList<>(List.of(x, gw.floats(n + ".weight", expected, wd)));
        if (bd != null) {
            ins.add(gw.floats(n + ".bias", new long[] {cout}, bd));
        }
        gw.node("Conv", n, ins, List.of(out), ints("kernel_shape", l.kernel(), l.kernel()),
                ints("strides", l.stride(), l.stride()), pads(l), ints("dilations", 1, 1), integer("group", l.groups()));
    }

    private static void linear(GraphWriter gw, Layer l, String x, String out, LayerWeights w) {
        String n = l.name();
        int units = l.output().channels();
        long inputs = l.input().elements();
        Tensor weight = expect(w.get(n, "weight"), l, new long[] {units, inputs});
        List<String> ins = new ArrayList<>(List.of(n + "/flatten", gw.floats(n + ".weight", weight.shape(),
                weight.data())));
        Tensor bias = w.find(n, "bias");
        if (bias != null) {
            ins.add(gw.floats(n + ".bias", new long[] {units}, expect(bias, l, units).data()));
        }
        gw.node("Flatten", n + "/flatten", List.of(x), List.of(n + "/flatten"), integer("axis", 1));
        if (out.equals(OUTPUT)) {
            gw.node("Gemm", n, ins, List.of(out), integer("transB", 1));
        } else { // a linear layer inside the network keeps the (N, C, 1, 1) layout, as NetworkBlock does
            gw.node("Gemm", n + "/gemm", ins, List.of(n + "/gemm"), integer("transB", 1));
            String shape = gw.longs(n + ".shape", new long[] {4}, new long[] {0, units, 1, 1});
            gw.node("Reshape", n, List.of(n + "/gemm", shape), List.of(out));
        }
    }

    private static void squeezeExcite(GraphWriter gw, Layer l, String x, String out, LayerWeights w) {
        String n = l.name();
        int c = l.input().channels();
        int h = l.hidden();
        String rw = gw.floats(n + ".reduce.weight", new long[] {h, c, 1, 1},
                expect(w.get(n, "reduce.weight"), l, new long[] {h, c, 1, 1}).data());
        String rb = gw.floats(n + ".reduce.bias", new long[] {h}, expect(w.get(n, "reduce.bias"), l, h).data());
        String ew = gw.floats(n + ".expand.weight", new long[] {c, h, 1, 1},
                expect(w.get(n, "expand.weight"), l, new long[] {c, h, 1, 1}).data());
        String eb = gw.floats(n + ".expand.bias", new long[] {c}, expect(w.get(n, "expand.bias"), l, c).data());
        gw.node("GlobalAveragePool", n + "/squeeze", List.of(x), List.of(n + "/squeeze"));
        gw.node("Conv", n + "/reduce", List.of(n + "/squeeze", rw, rb), List.of(n + "/reduce"),
                ints("kernel_shape", 1, 1));
        gw.node("Relu", n + "/relu", List.of(n + "/reduce"), List.of(n + "/relu"));
        gw.node("Conv", n + "/expand", List.of(n + "/relu", ew, eb), List.of(n + "/expand"),
                ints("kernel_shape", 1, 1));
        gw.node("Sigmoid", n + "/gate", List.of(n + "/expand"), List.of(n + "/gate"));
        gw.node("Mul", n, List.of(x, n + "/gate"), List.of(out));
    }

    private static Tensor expect(Tensor t, Layer l, int length) {
        return expect(t, l, new long[] {length});
    }

    private static Tensor expect(Tensor t, Layer l, long[] shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new UnsupportedArchitectureException("layer " + l.name() + ": the parameters have shape "
                    + Arrays.toString(t.shape()) + " but the architecture needs " + Arrays.toString(shape));
        }
        return t;
    }
}
