package io.hwnas.experiments.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.hwnas.core.quant.ActivationRange;
import io.hwnas.core.quant.FakeQuantisation;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.djl.WeightInheritance;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.export.graph.Logits;
import io.hwnas.experiments.export.graph.OrtModel;
import io.hwnas.experiments.export.mixed.ActivationRangesFile;
import io.hwnas.experiments.export.mixed.MixedQdqRewriter;
import io.hwnas.experiments.export.mixed.RangeCalibration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import onnx.Onnx.ModelProto;

/**
 * A compressed architecture as a mixed-precision QDQ ONNX model (the quantisation convention): the compressed
 * network (pruned channels absent) exported in float with batch norms folded, then each MAC layer's weights and
 * input quantised at its own bits ({@link MixedQdqRewriter}) over ranges from a ranges file or calibrated; and its
 * check in ONNX Runtime against the simulated-quantisation DJL reference ({@link QuantizedReference}).
 */
public final class CompressedExport {

    /**
     * Weights at 4 and 2 bits are INT4 initialisers (ONNX Runtime 1.29 runs INT4 DequantizeLinear per channel);
     * 4-bit activations are uint8 QDQ clipped to 16 levels, because ONNX Runtime 1.29 fails to load a UINT4
     * QuantizeLinear after a Relu or Clip (its Clip/QuantizeLinear fusion rejects the zero-point type); the
     * values are the same ({@code MixedQdqExportTest} checks both).
     */
    static final boolean INT4_WEIGHTS = true;
    static final boolean UINT4_ACTIVATIONS = false;

    /**
     * The top-1 agreement with the reference the check requires. ONNX Runtime's convolutions sum in another order
     * than PyTorch's, so an activation within a rounding error of a quantisation boundary can land one step away,
     * and the layers after it see inputs that differ by a whole step: exact logits are not possible, and the
     * largest logit difference is reported, not judged. A wrong scale, zero point or packing drops the agreement
     * far lower (about 0.3 to 0.8 in {@code MixedQdqExportTest}'s cases, as ONNX Runtime's default weight
     * quantisation shows).
     */
    public static final double MIN_AGREEMENT = 0.98;

    /**
     * The export in memory.
     *
     * @param floatModel the float model of the compressed network (batch norms folded)
     * @param model      the mixed-precision QDQ model
     * @param plan       each MAC layer's bits and input range
     * @param written    how each MAC layer was stored, in plan order
     * @param ranges     the ranges used (read or calibrated)
     */
    public record Exported(ModelProto floatModel, ModelProto model, List<MixedQdqRewriter.LayerPlan> plan,
            List<MixedQdqRewriter.Written> written, ActivationRangesFile ranges) {
    }

    /**
     * ONNX Runtime against the reference.
     *
     * @param samples          inputs compared
     * @param inputs           what they were
     * @param agreement        share of inputs whose top-1 class is the reference's, ONNX Runtime computing the
     *                         model as written (its QDQ transformers off, {@link OrtModel#OrtModel(byte[], int,
     *                         boolean, boolean)})
     * @param maxAbsDiff       the largest absolute logit difference, the same way
     * @param logitRange       the reference logits' range (max - min)
     * @param defaultAgreement the agreement with ONNX Runtime's default session options, which quantise float
     *                         weights (32 and 16 bits) behind a quantised input to int8 and biases to int32
     * @param defaultMaxAbsDiff the largest absolute logit difference with the default options
     * @param fakeQuantAgreement the agreement of ONNX Runtime (model as written) with the network as quantisation-aware
     *                         training runs it ({@link FakeQuantisation} in inference mode, the same ranges): what
     *                         was trained is what is deployed
     */
    public record Check(int samples, String inputs, double agreement, double maxAbsDiff, double logitRange,
            double defaultAgreement, double defaultMaxAbsDiff, double fakeQuantAgreement) {

        /** Agreement at least {@link #MIN_AGREEMENT}. */
        public boolean withinTolerance() {
            return agreement >= MIN_AGREEMENT;
        }
    }

    private CompressedExport() {
    }

    /** The MAC layers (convolutions, linear layers) of a compressed IR network that its deployed form computes. */
    public static List<Layer> macLayers(Network net) {
        List<Layer> out = new ArrayList<>();
        boolean[] computed = net.computedLayers();
        for (Layer l : net.layers()) {
            if ((l.kind() == LayerKind.CONV2D || l.kind() == LayerKind.LINEAR) && computed[l.id()]) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * Exports {@code a}'s compressed network held by {@code block} (from {@link CompressedWeights#load}).
     *
     * @param ranges      the input ranges, or null to calibrate them on {@code calibration}
     * @param calibration a flattened batch of the network's input shape (used when {@code ranges} is null)
     * @param count       its samples
     * @throws IllegalArgumentException naming the ranges file and the layer when a needed range is missing
     */
    public static Exported export(SearchSpace space, Architecture a, Shape input, int classes, NetworkBlock block,
            ActivationRangesFile ranges, float[] calibration, int count, Map<String, String> metadata) {
        return export(space, a, input, classes, block, ranges, calibration, count, 100, metadata);
    }

    /** As above, calibrating (when {@code ranges} is null) at percentile {@code percentile} (100: min/max). */
    public static Exported export(SearchSpace space, Architecture a, Shape input, int classes, NetworkBlock block,
            ActivationRangesFile ranges, float[] calibration, int count, double percentile,
            Map<String, String> metadata) {
        Network net = space.network(a, input, classes);
        ModelProto floatModel = OnnxExporter.folding().export(block, metadata);
        List<Layer> mac = macLayers(net);
        ActivationRangesFile r = ranges;
        if (r == null) {
            Shape in = net.inputShape();
            r = RangeCalibration.calibrate(floatModel, mac.stream().map(Layer::name).toList(), calibration,
                    new long[] {count, in.channels(), in.height(), in.width()}, percentile);
        }
        List<MixedQdqRewriter.LayerPlan> plan = new ArrayList<>();
        for (Layer l : mac) {
            ActivationRange range = l.activationBits() <= 8 ? r.require(l.name()) : r.layers().get(l.name());
            plan.add(new MixedQdqRewriter.LayerPlan(l.name(), l.bits(), l.activationBits(), range));
        }
        MixedQdqRewriter.Result q = new MixedQdqRewriter(INT4_WEIGHTS, UINT4_ACTIVATIONS).rewrite(floatModel, plan);
        return new Exported(floatModel, q.model(), plan, q.layers(), r);
    }

    /** Runs the model in ONNX Runtime and the reference in DJL on the same batch and compares them. */
    public static Check check(NetworkBlock block, Exported e, float[] x, int count, String inputs) {
        Shape in = block.network().inputShape();
        long[] shape = {count, in.channels(), in.height(), in.width()};
        float[] ref = new QuantizedReference(block, e.floatModel(), e.plan()).run(x, shape);
        byte[] bytes = e.model().toByteArray();
        float[] ort;
        float[] def;
        try (OrtModel m = new OrtModel(bytes, 1, true, true); OrtModel d = new OrtModel(bytes, 1)) {
            ort = m.run(x, shape);
            def = d.run(x, shape);
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : ref) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] fake = fakeQuantised(block, e.plan(), x, shape);
        return new Check(count, inputs, Logits.agreement(ort, ref, count), Verification.maxAbsDiff(ref, ort),
                max - min, Logits.agreement(def, ref, count), Verification.maxAbsDiff(ref, def),
                Logits.agreement(ort, fake, count));
    }

    /**
     * The logits of {@code block}'s weights run as quantisation-aware training runs them, in inference mode: a copy of
     * the network carrying the planned bits, with {@link FakeQuantisation} over the planned ranges.
     */
    static float[] fakeQuantised(NetworkBlock block, List<MixedQdqRewriter.LayerPlan> plan, float[] x, long[] shape) {
        Map<String, MixedQdqRewriter.LayerPlan> byName = new java.util.HashMap<>();
        plan.forEach(p -> byName.put(p.layer(), p));
        Map<String, ActivationRange> ranges = new java.util.LinkedHashMap<>();
        plan.stream().filter(p -> p.range() != null)
                .forEach(p -> ranges.put(p.layer(), p.range()));
        Network f = block.network();
        Network bits = new Network(f.layers().stream().map(l -> {
            MixedQdqRewriter.LayerPlan p = byName.get(l.name());
            return p == null ? l : l.withBits(p.weightBits(), p.activationBits());
        }).toList(), f.declaredParams());
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock fq = DjlNetworks.initialized(bits, m, ai.djl.ndarray.types.DataType.FLOAT32, (int) shape[0]);
            WeightInheritance.inherit(block, fq);
            FakeQuantisation.install(fq, true).setRanges(ranges);
            NDArray in = m.create(x, new ai.djl.ndarray.types.Shape(shape));
            return fq.forward(new ParameterStore(m, false), new NDList(in), false).singletonOrThrow().toFloatArray();
        }
    }
}
