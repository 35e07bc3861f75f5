package io.hwnas.experiments.export;

import static io.hwnas.experiments.export.GraphWriter.integer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * Quantises a float ONNX model to int8 in QDQ form (QuantizeLinear/DequantizeLinear pairs, as ONNX
 * Runtime, TensorRT and NPU compilers take in): the weights of every quantised Conv and Gemm symmetric
 * int8 per output channel, their biases int32 at scale input-scale x weight-scale (the weight scale is
 * widened where the bias would overflow int32), and the activations asymmetric uint8 per tensor (ONNX
 * Runtime's U8S8 convention): by default every activation tensor (the full QDQ form, which ONNX Runtime
 * turns into QLinearConv, QLinearAdd, QLinearMul, QLinearGlobalAveragePool, QLinearSigmoid and QGemm
 * kernels, a Relu/Clip folded into the QuantizeLinear after it), or only the Conv/Gemm inputs
 * ({@link Options#allTensors()} off). Ranges come from a calibration batch run in ONNX Runtime
 * ({@link Options#method()}: min/max, a percentile, or the range of least quantisation error).
 * Batch norms should be folded first ({@link OnnxExporter#folding()}) so that they are quantised with
 * their convolutions. {@link Options} can keep the first convolution, the classifier Gemm, or the
 * squeeze-excite convolutions in float, correct biases for the weight rounding, and fall back to float for
 * the most sensitive layers until a top-1 agreement target on the calibration batch is met (as accuracy-aware
 * tuners do); every choice is written into the model's {@code hwnas.quantization} metadata.
 */
public final class Int8Quantizer {

    /** Values kept per tensor for percentile and MSE ranges (a seeded sample when a tensor has more). */
    static final int SAMPLE_CAP = 1 << 20;
    /** Calibration images run through ONNX Runtime at once. */
    static final int CHUNK = 64;
    /** Values (an evenly strided part of the sample) on which MSE ranges are scored. */
    static final int MSE_VALUES = 1 << 16;
    private static final double INT32_LIMIT = Integer.MAX_VALUE - 1.0;
    private static final String NODE = "node:";
    private static final String TENSOR = "tensor:";

    private Int8Quantizer() {
    }

    /** How activation ranges are chosen from the calibration values of a tensor. */
    public enum RangeMethod {
        /** The observed minimum and maximum. */
        MINMAX,
        /** The {@code (100 - p)}-th and {@code p}-th percentiles of the values ({@link Options#percentile()}). */
        PERCENTILE,
        /** The clipping range with the least mean squared uint8 quantisation error over the values. */
        MSE;

        /** Parses {@code minmax}, {@code percentile} or {@code mse}. */
        public static RangeMethod parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "minmax", "min-max" -> MINMAX;
                case "percentile" -> PERCENTILE;
                case "mse" -> MSE;
                default -> throw new IllegalArgumentException(
                        "int8 range method '" + text + "' is not known; allowed: minmax, percentile, mse");
            };
        }

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What to quantise and how.
     *
     * @param method             how activation ranges are set
     * @param percentile         the upper percentile for {@link RangeMethod#PERCENTILE}, in (50, 100]
     * @param floatFirstConv     keep the Conv reading the model input in float
     * @param floatLastGemm      keep the Gemm writing the model output in float
     * @param floatSqueezeExcite keep the squeeze-excite 1x1 convolutions (after a GlobalAveragePool, before a
     *                           Sigmoid gate) in float
     * @param floatNodes         names of further Conv/Gemm nodes to keep in float
     * @param biasCorrection     subtract from each quantised node's bias the mean output shift its weight rounding
     *                           causes on the calibration batch ({@code (Wq - W) E[x]}, empirical bias correction)
     * @param targetAgreement    accuracy-driven fallback: while the int8 model's top-1 agreement with the float
     *                           model on the calibration batch is below this, keep the next most sensitive layer
     *                           or (with allTensors) activation tensor (largest logit error when quantised alone)
     *                           in float (the agreement on a few hundred images moves by single images, so a step may
     *                           lower it; the logits' error falls); 0 turns it off
     * @param maxFallback        the most layers and tensors the fallback keeps in float
     * @param allTensors         quantise every activation tensor (the outputs of Conv/Gemm after their Relu/Clip,
     *                           Add, Mul, GlobalAveragePool, Sigmoid, ...), the full QDQ form that ONNX Runtime fuses
     *                           into integer kernels (QLinearConv, QLinearAdd, ...); otherwise only the Conv/Gemm
     *                           inputs, every other operator computing in float
     * @param floatTensors       activation tensors left unquantised (no QuantizeLinear/DequantizeLinear pair)
     */
    public record Options(RangeMethod method, double percentile, boolean floatFirstConv, boolean floatLastGemm,
            boolean floatSqueezeExcite, Set<String> floatNodes, boolean biasCorrection, double targetAgreement,
            int maxFallback, boolean allTensors, Set<String> floatTensors) {

        public Options {
            floatTensors = Set.copyOf(floatTensors);
            if (method == null) {
                throw new IllegalArgumentException("int8 range method must be given");
            }
            if (!(percentile > 50 && percentile <= 100)) {
                throw new IllegalArgumentException("int8 percentile must be in (50, 100], but was " + percentile);
            }
            floatNodes = Set.copyOf(floatNodes);
            if (!(targetAgreement >= 0 && targetAgreement <= 1)) {
                throw new IllegalArgumentException("int8 target agreement must be in [0, 1], but was " + targetAgreement);
            }
            if (maxFallback < 0) {
                throw new IllegalArgumentException("int8 max fallback layers must be >= 0, but was " + maxFallback);
            }
        }

        /** What {@code hwnas export --int8} uses. */
        public static Options defaults() {
            return new Options(RangeMethod.PERCENTILE, 99.999, false, false, false, Set.of(), false, 0, 0, true, Set.of());
        }

        /** Every Conv and Gemm quantised, min/max ranges (the plain scheme). */
        public static Options minMax() {
            return new Options(RangeMethod.MINMAX, 100, false, false, false, Set.of(), false, 0, 0, true, Set.of());
        }

        public Options withMethod(RangeMethod m, double p) {
            return new Options(m, p, floatFirstConv, floatLastGemm, floatSqueezeExcite, floatNodes, biasCorrection, targetAgreement,
                    maxFallback, allTensors, floatTensors);
        }

        public Options withFloatFirstConv(boolean b) {
            return new Options(method, percentile, b, floatLastGemm, floatSqueezeExcite, floatNodes, biasCorrection, targetAgreement,
                    maxFallback, allTensors, floatTensors);
        }

        public Options withFloatLastGemm(boolean b) {
            return new Options(method, percentile, floatFirstConv, b, floatSqueezeExcite, floatNodes, biasCorrection, targetAgreement,
                    maxFallback, allTensors, floatTensors);
        }

        public Options withFloatSqueezeExcite(boolean b) {
            return new Options(method, percentile, floatFirstConv, floatLastGemm, b, floatNodes, biasCorrection, targetAgreement,
                    maxFallback, allTensors, floatTensors);
        }

        public Options withFloatNodes(Set<String> names) {
            return new Options(method, percentile, floatFirstConv, floatLastGemm, floatSqueezeExcite, names,
                    biasCorrection, targetAgreement, maxFallback, allTensors, floatTensors);
        }

        public Options withBiasCorrection(boolean b) {
            return new Options(method, percentile, floatFirstConv, floatLastGemm, floatSqueezeExcite, floatNodes, b,
                    targetAgreement, maxFallback, allTensors, floatTensors);
        }

        /** The accuracy-driven fallback (see {@link Options}); {@code target} 0 turns it off. */
        public Options withFallback(double target, int max) {
            return new Options(method, percentile, floatFirstConv, floatLastGemm, floatSqueezeExcite, floatNodes,
                    biasCorrection, target, max, allTensors, floatTensors);
        }

        /** {@link #allTensors()} on or off. */
        public Options withAllTensors(boolean b) {
            return new Options(method, percentile, floatFirstConv, floatLastGemm, floatSqueezeExcite, floatNodes,
                    biasCorrection, targetAgreement, maxFallback, b, floatTensors);
        }

        /** With these activation tensors left unquantised. */
        public Options withFloatTensors(Set<String> names) {
            return new Options(method, percentile, floatFirstConv, floatLastGemm, floatSqueezeExcite, floatNodes,
                    biasCorrection, targetAgreement, maxFallback, allTensors, names);
        }

        /** A one-line description, as written into the model's metadata. */
        public String describe() {
            StringBuilder s = new StringBuilder(allTensors ? "every activation tensor quantised"
                    : "Conv/Gemm inputs quantised").append("; activation ranges ").append(method.id());
            if (method == RangeMethod.PERCENTILE) {
                s.append(' ').append(percentile);
            }
            List<String> kept = new ArrayList<>();
            if (floatFirstConv) {
                kept.add("first conv");
            }
            if (floatLastGemm) {
                kept.add("classifier gemm");
            }
            if (floatSqueezeExcite) {
                kept.add("squeeze-excite convs");
            }
            kept.addAll(floatNodes.stream().sorted().toList());
            kept.addAll(floatTensors.stream().sorted().map(t -> "tensor " + t).toList());
            if (biasCorrection) {
                s.append("; bias correction");
            }
            if (targetAgreement > 0) {
                s.append(String.format(Locale.ROOT, "; float fallback to %.3f calibration agreement (at most %d layers)",
                        targetAgreement, maxFallback));
            }
            s.append("; float: ").append(kept.isEmpty() ? "none" : String.join(", ", kept));
            return s.toString();
        }
    }

    /** A per-tensor uint8 activation range: scale and zero point. */
    record Range(float scale, int zeroPoint) {

        static Range of(float min, float max) {
            float lo = Math.min(0f, min);
            float hi = Math.max(0f, max);
            if (hi - lo <= 0f) {
                return new Range(1f, 0);
            }
            float scale = (hi - lo) / 255f;
            int zp = Math.round(-lo / scale);
            return new Range(scale, Math.max(0, Math.min(255, zp)));
        }

        float min() {
            return -zeroPoint * scale;
        }

        float max() {
            return (255 - zeroPoint) * scale;
        }
    }

    /** The QDQ model of a float model with {@link Options#minMax()}. */
    public static ModelProto quantize(ModelProto floatModel, float[] calibration, long[] shape) {
        return quantize(floatModel, calibration, shape, Options.minMax());
    }

    /**
     * The QDQ model of a float model.
     *
     * @param calibration a flattened input batch (N x C x H x W) whose activations set the ranges
     */
    public static ModelProto quantize(ModelProto floatModel, float[] calibration, long[] shape, Options options) {
        return quantizeReporting(floatModel, calibration, shape, options).model();
    }

    /**
     * A quantised model and what the quantiser decided.
     *
     * @param model       the QDQ model
     * @param options     the options in force, {@link Options#floatNodes()} including the layers the accuracy
     *                    fallback kept in float
     * @param fallback    the Conv/Gemm nodes (by name) and activation tensors ({@code "tensor NAME"}) the accuracy
     *                    fallback kept in float, most sensitive first
     * @param calibrationAgreement top-1 agreement with the float model on the calibration batch
     */
    public record Quantized(ModelProto model, Options options, List<String> fallback, double calibrationAgreement) {
    }

    /** {@link #quantize(ModelProto, float[], long[], Options)} with the decisions taken. */
    public static Quantized quantizeReporting(ModelProto floatModel, float[] calibration, long[] shape,
            Options options) {
        GraphProto g = floatModel.getGraph();
        Map<String, TensorProto> init = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            init.put(t.getName(), t);
        }
        Set<String> quantized = quantizedNodes(g, init, options);
        // tensor -> channels; the tensors kept in float are observed too (a quantised Conv's bias scale needs its input's)
        Map<String, Integer> activations = quantizedTensors(g, init, quantized, options.withFloatTensors(Set.of()));
        Map<String, Observer> observed = calibrate(floatModel, activations, calibration, shape);
        Map<String, Range> ranges = ranges(g, observed, options);
        float[] reference;
        try (OrtModel ort = new OrtModel(floatModel.toByteArray(), 1)) {
            reference = ort.run(calibration, shape);
        }
        int samples = (int) shape[0];
        List<String> fallback = new ArrayList<>();
        ModelProto model = build(floatModel, init, quantized, ranges, observed, options);
        double agreement = agreement(model, calibration, shape, reference, samples);
        Options effective = options;
        if (options.targetAgreement() > 0 && agreement < options.targetAgreement()) {
            // the candidates: each quantised Conv/Gemm (its weights, and without allTensors its input too) and, with
            // allTensors, each quantised activation tensor; sensitivity: the logits' mean squared error with only
            // that candidate quantised
            Set<String> all = quantized;
            Map<String, Double> sensitivity = new HashMap<>();
            for (String n : quantized) {
                ModelProto one = build(floatModel, init, Set.of(n), ranges, observed, options,
                        options.allTensors() ? Set.of() : null, true);
                sensitivity.put(NODE + n, mse(run(one, calibration, shape), reference));
            }
            if (options.allTensors()) {
                for (String t : quantizedTensors(g, init, quantized, options).keySet()) {
                    ModelProto one = build(floatModel, init, all, ranges, observed, options, Set.of(t), false);
                    sensitivity.put(TENSOR + t, mse(run(one, calibration, shape), reference));
                }
            }
            List<String> order = new ArrayList<>(sensitivity.keySet());
            order.sort((a, b) -> Double.compare(sensitivity.get(b), sensitivity.get(a)));
            Set<String> remaining = new LinkedHashSet<>(quantized);
            Set<String> floatTensors = new LinkedHashSet<>(options.floatTensors());
            for (String item : order) {
                if (agreement >= options.targetAgreement() || fallback.size() >= options.maxFallback()) {
                    break;
                }
                if (item.startsWith(NODE)) {
                    remaining.remove(item.substring(NODE.length()));
                } else {
                    floatTensors.add(item.substring(TENSOR.length()));
                }
                fallback.add(item);
                effective = options.withFloatTensors(floatTensors);
                model = build(floatModel, init, remaining, ranges, observed, effective);
                agreement = agreement(model, calibration, shape, reference, samples);
            }
            quantized = remaining;
        }
        Set<String> kept = new LinkedHashSet<>(options.floatNodes());
        fallback.stream().filter(f -> f.startsWith(NODE)).forEach(f -> kept.add(f.substring(NODE.length())));
        effective = effective.withFloatNodes(kept);
        ModelProto.Builder m = model.toBuilder();
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey("hwnas.quantization")
                .setValue(String.format(Locale.ROOT, "int8 QDQ: weights symmetric int8 per output channel, activations"
                        + " uint8 per tensor, %d calibration samples, %s; %d of %d Conv/Gemm nodes quantised;"
                        + " top-1 agreement with the float model on the calibration samples %.4f", samples,
                        effective.describe(), quantized.size(), countWeighted(g, init), agreement)));
        return new Quantized(m.build(), effective, fallback.stream().map(f -> f.startsWith(NODE)
                ? f.substring(NODE.length()) : "tensor " + f.substring(TENSOR.length())).toList(), agreement);
    }

    private static float[] run(ModelProto model, float[] x, long[] shape) {
        try (OrtModel ort = new OrtModel(model.toByteArray(), 1)) {
            return ort.run(x, shape);
        }
    }

    private static double agreement(ModelProto model, float[] x, long[] shape, float[] reference, int samples) {
        return agreement(run(model, x, shape), reference, samples);
    }

    private static double agreement(float[] y, float[] reference, int samples) {
        int width = y.length / samples;
        int agree = 0;
        for (int i = 0; i < samples; i++) {
            agree += ModelExporter.argmax(y, i, width) == ModelExporter.argmax(reference, i, width) ? 1 : 0;
        }
        return agree / (double) samples;
    }

    private static double mse(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s / a.length;
    }

    /** The QDQ model with the named Conv/Gemm nodes quantised. */
    private static ModelProto build(ModelProto floatModel, Map<String, TensorProto> init, Set<String> quantized,
            Map<String, Range> ranges, Map<String, Observer> observed, Options options) {
        return build(floatModel, init, quantized, ranges, observed, options, true, true);
    }

    /** {@link #build} quantising only the activations or only the weights (error analysis). */
    static ModelProto build(ModelProto floatModel, Map<String, TensorProto> init, Set<String> quantized,
            Map<String, Range> ranges, Map<String, Observer> observed, Options options, boolean acts,
            boolean weights) {
        return build(floatModel, init, quantized, ranges, observed, options, acts ? null : Set.of(), weights);
    }

    /** {@link #build} quantising only the named activation tensors (all of them when null) (error analysis). */
    static ModelProto build(ModelProto floatModel, Map<String, TensorProto> init, Set<String> quantized,
            Map<String, Range> ranges, Map<String, Observer> observed, Options options, Set<String> only,
            boolean weights) {
        GraphProto g = floatModel.getGraph();
        GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer();
        GraphWriter gw = new GraphWriter(out);
        Set<String> tensors = new LinkedHashSet<>(quantizedTensors(g, init, quantized, options).keySet());
        if (only != null) {
            tensors.retainAll(only);
        }
        Set<String> replaced = new HashSet<>();
        Map<String, String> dequantized = new HashMap<>();
        if (tensors.contains(OnnxExporter.INPUT)) {
            dequantized.put(OnnxExporter.INPUT, quantizeDequantize(gw, OnnxExporter.INPUT, ranges.get(OnnxExporter.INPUT)));
        }
        for (NodeProto n : g.getNodeList()) {
            boolean weighted = isWeighted(n, init);
            NodeProto.Builder q = n.toBuilder();
            // a float Conv/Gemm reads the float tensors; without allTensors only the quantised Conv/Gemm nodes read the
            // dequantised ones
            if (weighted ? quantized.contains(n.getName()) : options.allTensors()) {
                for (int i = 0; i < n.getInputCount(); i++) {
                    String dq = dequantized.get(n.getInput(i));
                    if (dq != null) {
                        q.setInput(i, dq);
                    }
                }
            }
            if (weighted && quantized.contains(n.getName()) && weights) {
                String x = n.getInput(0);
                Range r = ranges.get(x);
                TensorProto w = init.get(n.getInput(1));
                float[] wf = floats(w);
                int channels = (int) w.getDims(0);
                TensorProto b = n.getInputCount() > 2 && init.containsKey(n.getInput(2)) ? init.get(n.getInput(2)) : null;
                float[] bf = b == null ? null : floats(b);
                float[] wScale = weightScales(wf, channels, bf, r.scale());
                byte[] wq = quantizePerChannelWith(wf, channels, wScale);
                if (bf != null && options.biasCorrection()) {
                    bf = correctBias(bf, wf, wq, wScale, observed.get(x).channelMeans(), group(n));
                }
                long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
                String wName = w.getName();
                String wqName = gw.bytes(wName + "/q", dims, wq, false);
                String wsName = gw.floats(wName + "/scale", new long[] {channels}, wScale);
                String wzName = gw.bytes(wName + "/zero_point", new long[] {channels}, new byte[channels], false);
                gw.node("DequantizeLinear", wName + "/dequantize", List.of(wqName, wsName, wzName),
                        List.of(wName + "/dq"), integer("axis", 0));
                replaced.add(wName);
                q.setInput(1, wName + "/dq");
                if (b != null) {
                    float[] bScale = new float[channels];
                    int[] bq = quantizeBias(bf, r.scale(), wScale, bScale);
                    String bName = b.getName();
                    String bqName = gw.ints(bName + "/q", new long[] {channels}, bq);
                    String bsName = gw.floats(bName + "/scale", new long[] {channels}, bScale);
                    String bzName = gw.ints(bName + "/zero_point", new long[] {channels}, new int[channels]);
                    gw.node("DequantizeLinear", bName + "/dequantize", List.of(bqName, bsName, bzName),
                            List.of(bName + "/dq"), integer("axis", 0));
                    replaced.add(bName);
                    q.setInput(2, bName + "/dq");
                }
            }
            out.addNode(q);
            for (String o : n.getOutputList()) {
                if (tensors.contains(o)) {
                    dequantized.put(o, quantizeDequantize(gw, o, ranges.get(o)));
                }
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            if (!replaced.contains(t.getName())) {
                out.addInitializer(t);
            }
        }
        return floatModel.toBuilder().setGraph(out).build();
    }

    /** Adds a QuantizeLinear/DequantizeLinear pair (uint8, per tensor) on a tensor; returns the dequantised name. */
    private static String quantizeDequantize(GraphWriter gw, String x, Range r) {
        String s = gw.floats(x + "/scale", new long[0], new float[] {r.scale()});
        String zp = gw.bytes(x + "/zero_point", new long[0], new byte[] {(byte) r.zeroPoint()}, true);
        gw.node("QuantizeLinear", x + "/quantize", List.of(x, s, zp), List.of(x + "/q"));
        gw.node("DequantizeLinear", x + "/dequantize", List.of(x + "/q", s, zp), List.of(x + "/dq"));
        return x + "/dq";
    }

    /** Operators whose activation inputs and outputs are quantised when {@link Options#allTensors()} is set. */
    static final Set<String> QUANTIZABLE = Set.of("Add", "Mul", "GlobalAveragePool", "AveragePool", "Sigmoid",
            "Concat");
    /** Operators that move values without computing: their output takes their input's quantisation parameters. */
    static final Set<String> PASS_THROUGH = Set.of("Flatten", "Reshape", "Transpose", "Identity", "MaxPool");

    /**
     * The activation tensors that get a QuantizeLinear/DequantizeLinear pair, with their channel counts (for
     * bias correction; 1 where unknown): the inputs of the quantised Conv/Gemm nodes, and with
     * {@link Options#allTensors()} also the activation inputs and outputs of the other quantised operators
     * ({@link #QUANTIZABLE}) and the outputs of the quantised Conv/Gemm nodes, taken after a Relu or Clip that
     * alone reads them (so that ONNX Runtime folds the activation into the integer kernel).
     */
    static Map<String, Integer> quantizedTensors(GraphProto g, Map<String, TensorProto> init, Set<String> quantized,
            Options options) {
        Map<String, Integer> out = new LinkedHashMap<>();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        Set<String> graphOutputs = new HashSet<>();
        g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        for (NodeProto n : g.getNodeList()) {
            for (String i : n.getInputList()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        for (NodeProto n : g.getNodeList()) {
            boolean conv = quantized.contains(n.getName());
            boolean other = options.allTensors() && QUANTIZABLE.contains(n.getOpType())
                    && n.getInputList().stream().noneMatch(init::containsKey);
            if (!conv && !other) {
                continue;
            }
            if (conv) {
                out.merge(n.getInput(0), inputChannels(n, init.get(n.getInput(1))), Math::max);
            } else {
                for (String i : n.getInputList()) {
                    out.putIfAbsent(i, 1);
                }
            }
            if (!options.allTensors()) {
                continue;
            }
            for (String o : n.getOutputList()) {
                List<NodeProto> c = consumers.getOrDefault(o, List.of());
                String t = o;
                if (c.size() == 1 && (c.get(0).getOpType().equals("Relu") || c.get(0).getOpType().equals("Clip"))) {
                    t = c.get(0).getOutput(0);
                }
                if (!graphOutputs.contains(t)) {
                    out.putIfAbsent(t, 1);
                }
            }
        }
        out.keySet().removeAll(options.floatTensors());
        return out;
    }

    /** The ranges of the observed tensors; a pass-through operator's output takes its quantised input's range. */
    static Map<String, Range> ranges(GraphProto g, Map<String, Observer> observed, Options options) {
        Map<String, Range> ranges = new LinkedHashMap<>();
        observed.forEach((t, o) -> ranges.put(t, o.range(options)));
        for (NodeProto n : g.getNodeList()) {
            if (PASS_THROUGH.contains(n.getOpType()) && ranges.containsKey(n.getInput(0))
                    && ranges.containsKey(n.getOutput(0))) {
                ranges.put(n.getOutput(0), ranges.get(n.getInput(0)));
            }
        }
        return ranges;
    }

    /** The names of the Conv and Gemm nodes the options quantise (constant weights, non-constant input). */
    static Set<String> quantizedNodes(GraphProto g, Map<String, TensorProto> init, Options options) {
        Map<String, NodeProto> producer = new HashMap<>();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                producer.put(o, n);
            }
            for (String i : n.getInputList()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (!isWeighted(n, init) || options.floatNodes().contains(n.getName())) {
                continue;
            }
            String x = n.getInput(0);
            if (options.floatFirstConv() && n.getOpType().equals("Conv") && x.equals(OnnxExporter.INPUT)) {
                continue;
            }
            if (options.floatLastGemm() && n.getOpType().equals("Gemm")
                    && n.getOutputList().contains(OnnxExporter.OUTPUT)) {
                continue;
            }
            if (options.floatSqueezeExcite() && n.getOpType().equals("Conv") && squeezeExcite(n, producer, consumers)) {
                continue;
            }
            out.add(n.getName());
        }
        return out;
    }

    /** A 1x1 conv of a squeeze-excite path: reads a GlobalAveragePool (via nothing else) or feeds a Sigmoid. */
    private static boolean squeezeExcite(NodeProto n, Map<String, NodeProto> producer,
            Map<String, List<NodeProto>> consumers) {
        NodeProto p = producer.get(n.getInput(0));
        if (p != null && p.getOpType().equals("GlobalAveragePool")) {
            return consumers.getOrDefault(n.getOutput(0), List.of()).stream()
                    .anyMatch(c -> c.getOpType().equals("Relu") || c.getOpType().equals("Sigmoid"));
        }
        return consumers.getOrDefault(n.getOutput(0), List.of()).stream()
                .anyMatch(c -> c.getOpType().equals("Sigmoid"));
    }

    private static int group(NodeProto n) {
        for (onnx.Onnx.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("group")) {
                return (int) a.getI();
            }
        }
        return 1;
    }

    /** The channels of a Conv's input (weight dimension 1 times the groups) or a Gemm's (weight dimension 1). */
    private static int inputChannels(NodeProto n, TensorProto w) {
        return (int) w.getDims(1) * (n.getOpType().equals("Conv") ? group(n) : 1);
    }

    /**
     * Empirical bias correction: the bias minus the mean shift the weight rounding causes,
     * {@code sum_i,k (Wq - W)[o, i, k] * E[x_i]}, with per-channel input means from the calibration batch.
     */
    static float[] correctBias(float[] bias, float[] w, byte[] wq, float[] wScale, double[] inputMeans, int groups) {
        int out = bias.length;
        int per = w.length / out;
        int inPerGroup = inputMeans.length / groups;
        int kernel = per / inPerGroup;
        int outPerGroup = out / groups;
        float[] corrected = bias.clone();
        for (int o = 0; o < out; o++) {
            int g = o / outPerGroup;
            double shift = 0;
            for (int i = 0; i < inPerGroup; i++) {
                double mean = inputMeans[g * inPerGroup + i];
                for (int k = 0; k < kernel; k++) {
                    int idx = o * per + i * kernel + k;
                    shift += (wq[idx] * (double) wScale[o] - w[idx]) * mean;
                }
            }
            corrected[o] = (float) (bias[o] - shift);
        }
        return corrected;
    }

    private static boolean isWeighted(NodeProto n, Map<String, TensorProto> init) {
        return (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) && n.getInputCount() >= 2
                && init.containsKey(n.getInput(1)) && !init.containsKey(n.getInput(0));
    }

    private static int countWeighted(GraphProto g, Map<String, TensorProto> init) {
        int c = 0;
        for (NodeProto n : g.getNodeList()) {
            c += isWeighted(n, init) ? 1 : 0;
        }
        return c;
    }

    /**
     * Symmetric per-channel weight scales (max |w| / 127), each widened where needed so that the channel's
     * bias fits int32 at scale {@code inputScale * weightScale} (as ONNX Runtime's quantiser does).
     */
    static float[] weightScales(float[] w, int channels, float[] bias, float inputScale) {
        int per = w.length / channels;
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            float max = 0;
            for (int j = 0; j < per; j++) {
                max = Math.max(max, Math.abs(w[c * per + j]));
            }
            double s = max == 0 ? 1.0 : max / 127.0;
            if (bias != null && Math.abs(bias[c]) / ((double) inputScale * s) > INT32_LIMIT) {
                s = Math.abs(bias[c]) / ((double) inputScale * INT32_LIMIT) * (1 + 1e-6);
            }
            scales[c] = (float) s;
        }
        return scales;
    }

    /** Symmetric int8 per channel along dimension 0 with max-abs scales; fills {@code scales}. */
    static byte[] quantizePerChannel(float[] w, int channels, float[] scales) {
        float[] s = weightScales(w, channels, null, 1f);
        System.arraycopy(s, 0, scales, 0, channels);
        return quantizePerChannelWith(w, channels, scales);
    }

    /** Symmetric int8 per channel along dimension 0 with the given scales, clamped to [-127, 127]. */
    static byte[] quantizePerChannelWith(float[] w, int channels, float[] scales) {
        int per = w.length / channels;
        byte[] q = new byte[w.length];
        for (int c = 0; c < channels; c++) {
            for (int j = 0; j < per; j++) {
                long v = Math.round(w[c * per + j] / (double) scales[c]);
                q[c * per + j] = (byte) Math.max(-127, Math.min(127, v));
            }
        }
        return q;
    }

    /** int32 biases at scale {@code inputScale * weightScale[c]}; fills {@code scales}. */
    static int[] quantizeBias(float[] bias, float inputScale, float[] weightScales, float[] scales) {
        int[] q = new int[bias.length];
        for (int c = 0; c < bias.length; c++) {
            scales[c] = inputScale * weightScales[c];
            double v = Math.rint(bias[c] / (double) scales[c]);
            q[c] = (int) Math.max(-INT32_LIMIT, Math.min(INT32_LIMIT, v));
        }
        return q;
    }

    /** Observers of the named tensors (with their channel counts) over the calibration batch, run in ONNX Runtime. */
    static Map<String, Observer> calibrate(ModelProto model, Map<String, Integer> tensors, float[] x, long[] shape) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        Set<String> outputs = new LinkedHashSet<>();
        for (String t : tensors.keySet()) {
            if (t.equals(OnnxExporter.INPUT)) {
                continue;
            }
            if (g.getOutputList().stream().noneMatch(o -> o.getName().equals(t))) {
                g.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
            outputs.add(t);
        }
        int n = (int) shape[0];
        long perSample = x.length / n;
        Map<String, Observer> observers = new LinkedHashMap<>();
        long seed = 17;
        for (Map.Entry<String, Integer> t : tensors.entrySet()) {
            observers.put(t.getKey(), new Observer(new SplittableRandom(seed++), t.getValue()));
        }
        if (tensors.containsKey(OnnxExporter.INPUT)) {
            observers.get(OnnxExporter.INPUT).add(x, n, x.length);
        }
        if (!outputs.isEmpty()) {
            byte[] bytes = model.toBuilder().setGraph(g).build().toByteArray();
            try (OrtModel ort = new OrtModel(bytes, 1)) {
                for (int from = 0; from < n; from += CHUNK) {
                    int count = Math.min(CHUNK, n - from);
                    float[] chunk = Arrays.copyOfRange(x, (int) (from * perSample), (int) ((from + count) * perSample));
                    long[] s = shape.clone();
                    s[0] = count;
                    for (Map.Entry<String, float[]> e : ort.runAll(chunk, s, outputs).entrySet()) {
                        float[] v = e.getValue();
                        observers.get(e.getKey()).add(v, count, (long) v.length / count * n);
                    }
                }
            }
        }
        return observers;
    }

    /**
     * Min, max, per-channel means and a seeded sample (at most {@link #SAMPLE_CAP} values) of one tensor's
     * calibration values.
     */
    static final class Observer {

        private final SplittableRandom random;
        private final double[] channelSums;
        private long perChannel;
        private float min = Float.POSITIVE_INFINITY;
        private float max = Float.NEGATIVE_INFINITY;
        private float[] sample = new float[1024];
        private int size;

        Observer(SplittableRandom random, int channels) {
            this.random = random;
            this.channelSums = new double[channels];
        }

        /**
         * Adds the values of {@code samples} samples (N x C x ...); {@code total} is the number of values the whole
         * batch will add (sets the sampling rate).
         */
        void add(float[] v, int samples, long total) {
            double rate = Math.min(1.0, SAMPLE_CAP / (double) Math.max(1, total));
            int channels = channelSums.length;
            int inner = v.length / samples / channels;
            for (int i = 0; i < v.length; i++) {
                float f = v[i];
                min = Math.min(min, f);
                max = Math.max(max, f);
                channelSums[i / inner % channels] += f;
            }
            perChannel += (long) samples * inner;
            if (rate >= 1.0) {
                for (float f : v) {
                    put(f);
                }
                return;
            }
            int gap = (int) Math.max(1, Math.round(1 / rate));
            for (int i = random.nextInt(gap); i < v.length; i += 1 + random.nextInt(2 * gap - 1)) {
                put(v[i]);
            }
        }

        private void put(float f) {
            if (size == sample.length) {
                sample = Arrays.copyOf(sample, sample.length * 2);
            }
            sample[size++] = f;
        }

        /** The mean of each channel over samples and positions. */
        double[] channelMeans() {
            double[] m = new double[channelSums.length];
            for (int c = 0; c < m.length; c++) {
                m[c] = perChannel == 0 ? 0 : channelSums[c] / perChannel;
            }
            return m;
        }

        Range range(Options options) {
            if (size == 0) {
                return Range.of(0, 0);
            }
            return switch (options.method()) {
                case MINMAX -> Range.of(min, max);
                case PERCENTILE -> percentileRange(Arrays.copyOf(sample, size), options.percentile());
                case MSE -> mseRange(Arrays.copyOf(sample, size), min, max);
            };
        }
    }

    /** The range from the {@code (100 - p)}-th to the {@code p}-th percentile of the values. */
    static Range percentileRange(float[] values, double p) {
        float[] v = values.clone();
        Arrays.sort(v);
        return Range.of(quantile(v, 1 - p / 100), quantile(v, p / 100));
    }

    private static float quantile(float[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return (float) (sorted[i] + (pos - i) * (sorted[j] - sorted[i]));
    }

    /**
     * The range of least mean squared uint8 quantisation error over the values, among the min/max range
     * shrunk by factors 1, 0.95, ..., 0.3 on either side and the 99th to 99.999th percentile ranges.
     */
    static Range mseRange(float[] values, float min, float max) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int stride = Math.max(1, values.length / MSE_VALUES);
        float[] probe = new float[(values.length + stride - 1) / stride];
        for (int i = 0; i < probe.length; i++) {
            probe[i] = values[i * stride];
        }
        List<Range> candidates = new ArrayList<>();
        for (double f = 1.0; f >= 0.3 - 1e-9; f -= 0.05) {
            candidates.add(Range.of((float) (min * f), (float) (max * f)));
            candidates.add(Range.of(min, (float) (max * f)));
            candidates.add(Range.of((float) (min * f), max));
        }
        for (double p : new double[] {99, 99.9, 99.99, 99.999}) {
            candidates.add(Range.of(quantile(sorted, 1 - p / 100), quantile(sorted, p / 100)));
        }
        Range best = null;
        double bestErr = Double.POSITIVE_INFINITY;
        for (Range r : candidates) {
            double err = quantisationError(probe, r);
            if (err < bestErr) {
                bestErr = err;
                best = r;
            }
        }
        return best;
    }

    /** The summed squared error of quantising and dequantising the values with the range. */
    static double quantisationError(float[] values, Range r) {
        double sum = 0;
        float s = r.scale();
        int zp = r.zeroPoint();
        for (float f : values) {
            long q = Math.max(0, Math.min(255, Math.round(f / s) + zp));
            double d = (q - zp) * (double) s - f;
            sum += d * d;
        }
        return sum;
    }

    private static float[] floats(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("initializer " + t.getName() + " is not float");
        }
        if (!t.getRawData().isEmpty()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
            return f;
        }
        List<Float> list = new ArrayList<>(t.getFloatDataList());
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = list.get(i);
        }
        return f;
    }
}
