package io.hwnas.experiments.export.int8;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;

/**
 * Quantises a float ONNX model to int8 in QDQ form (QuantizeLinear/DequantizeLinear pairs, as ONNX
 * Runtime, TensorRT and NPU compilers take in): the weights of every quantised Conv and Gemm symmetric
 * int8 per output channel, their biases int32 at scale input-scale x weight-scale (the weight scale is
 * widened where the bias would overflow int32), and the activations asymmetric uint8 per tensor (ONNX
 * Runtime's U8S8 convention): by default every activation tensor (the full QDQ form, which ONNX Runtime
 * turns into QLinearConv, QLinearAdd, QLinearMul, QLinearGlobalAveragePool, QLinearSigmoid and QGemm
 * kernels, a Relu/Clip folded into the QuantizeLinear after it), or only the Conv/Gemm inputs
 * ({@link Int8Options#allTensors()} off). Ranges come from a calibration batch run in ONNX Runtime
 * ({@link Int8Options#method()}: min/max, a percentile, or the range of least quantisation error).
 * Batch norms should be folded first ({@code OnnxExporter.folding()}) so that they are quantised with
 * their convolutions. {@link Int8Options} can keep the first convolution, the classifier Gemm, or the
 * squeeze-excite convolutions in float, correct biases for the weight rounding, and fall back to float for
 * the most sensitive layers until a top-1 agreement target on the calibration batch is met (as accuracy-aware
 * tuners do); every choice is written into the model's {@code hwnas.quantization} metadata.
 */
public final class Int8Quantizer {

    private Int8Quantizer() {
    }

    /**
     * A quantised model and what the quantiser decided.
     *
     * @param model       the QDQ model
     * @param options     the options in force, {@link Int8Options#floatNodes()} including the layers the accuracy
     *                    fallback kept in float
     * @param fallback    the Conv/Gemm nodes (by name) and activation tensors ({@code "tensor NAME"}) the accuracy
     *                    fallback kept in float, most sensitive first
     * @param calibrationAgreement top-1 agreement with the float model on the calibration batch
     */
    public record Quantized(ModelProto model, Int8Options options, List<String> fallback, double calibrationAgreement) {
    }

    /** The QDQ model of a float model with {@link Int8Options#minMax()}. */
    public static ModelProto quantize(ModelProto floatModel, float[] calibration, long[] shape) {
        return quantize(floatModel, calibration, shape, Int8Options.minMax());
    }

    /**
     * The QDQ model of a float model.
     *
     * @param calibration a flattened input batch (N x C x H x W) whose activations set the ranges
     */
    public static ModelProto quantize(ModelProto floatModel, float[] calibration, long[] shape, Int8Options options) {
        return quantizeReporting(floatModel, calibration, shape, options).model();
    }

    /** {@link #quantize(ModelProto, float[], long[], Int8Options)} with the decisions taken. */
    public static Quantized quantizeReporting(ModelProto floatModel, float[] calibration, long[] shape,
            Int8Options options) {
        GraphProto g = floatModel.getGraph();
        Map<String, TensorProto> init = QdqTargets.initializers(g);
        Set<String> quantized = QdqTargets.quantizedNodes(g, init, options);
        // tensor -> channels; the tensors kept in float are observed too (a quantised Conv's bias scale needs its input's)
        Map<String, Integer> activations = QdqTargets.quantizedTensors(g, init, quantized,
                options.toBuilder().floatTensors(Set.of()).build());
        Map<String, ActivationObserver> observed = ActivationRanges.calibrate(floatModel, activations, calibration,
                shape);
        Map<String, ActivationRange> ranges = ActivationRanges.ranges(g, observed, options);
        QdqRewriter rewriter = new QdqRewriter(floatModel, ranges, observed);
        AccuracyFallback.Outcome o = new AccuracyFallback(rewriter, floatModel, calibration, shape)
                .apply(quantized, options);
        ModelProto.Builder m = o.model().toBuilder();
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey("hwnas.quantization")
                .setValue(String.format(Locale.ROOT, "int8 QDQ: weights symmetric int8 per output channel, activations"
                        + " uint8 per tensor, %d calibration samples, %s; %d of %d Conv/Gemm nodes quantised;"
                        + " top-1 agreement with the float model on the calibration samples %.4f", (int) shape[0],
                        o.options().describe(), o.quantized().size(), QdqTargets.countWeighted(g, init),
                        o.agreement())));
        return new Quantized(m.build(), o.options(), o.fallback(), o.agreement());
    }
}
