package io.hwnas.experiments.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.export.graph.Logits;
import io.hwnas.experiments.export.graph.OrtModel;
import io.hwnas.experiments.export.int8.Int8Options;
import io.hwnas.experiments.export.int8.Int8Quantizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import onnx.Onnx.ModelProto;

/** Exports one architecture (with trained weights when given) to an ONNX file, optionally int8 and verified. */
public final class ModelExporter {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelExporter.class);

    /** Samples compared by the float verification. */
    public static final int VERIFY_BATCH = 8;
    /** Single-sample runs timed for the latency. */
    public static final int LATENCY_RUNS = 51;

    /**
     * The int8 model compared with the float DJL network on the check batch.
     *
     * @param samples     inputs compared
     * @param maxAbsDiff  largest absolute logit difference
     * @param logitRange  the float logits' range (max - min) on the batch, the scale of the tolerance
     * @param top1        fraction of inputs whose int8 top-1 class equals the float network's
     * @param floatTop1   the same fraction for the float ONNX model (1.0 when the export is exact)
     * @param labelAccuracyInt8 int8 accuracy against labels, NaN for synthetic inputs
     * @param labelAccuracyFloat DJL float accuracy against labels, NaN for synthetic inputs
     * @param floatBytes  size of the float ONNX model
     * @param latencyMs   ONNX Runtime median latency of the int8 model, one sample
     * @param floatLatencyMs ONNX Runtime median latency of the float model, one sample, measured alongside
     * @param options     how the model was quantised
     */
    public record Int8Check(int samples, double maxAbsDiff, double logitRange, double top1, double floatTop1,
            double labelAccuracyInt8, double labelAccuracyFloat, long floatBytes, double latencyMs,
            double floatLatencyMs, Int8Options options) {

        /** The stated tolerance: the largest int8 logit error at most 10% of the float logits' range. */
        public static final double TOLERANCE = 0.10;

        public boolean withinTolerance() {
            return maxAbsDiff <= TOLERANCE * logitRange;
        }
    }

    /**
     * The outcome.
     *
     * @param file         the file written
     * @param bytes        its size
     * @param metadata     the metadata properties written
     * @param verification float verification, or null
     * @param int8         int8 check, or null
     */
    public record Result(Path file, long bytes, Map<String, String> metadata, Verification verification,
            Int8Check int8) {
    }

    private ModelExporter() {
    }

    /** Runs the export. */
    public static Result export(ExportRequest r) {
        Network net = r.space().network(r.arch(), r.input(), r.classes());
        OnnxExporter.check(net);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("hwnas.space", r.space().name());
        meta.put("hwnas.arch", r.arch().canonical());
        meta.put("hwnas.space_options", io.hwnas.core.io.Json.MAPPER.valueToTree(r.space().options())
                .toString());
        meta.put("hwnas.input", r.input().toString());
        meta.put("hwnas.classes", Integer.toString(r.classes()));
        meta.put("hwnas.params", Long.toString(net.params()));
        meta.put("hwnas.macs", Long.toString(net.macs()));
        meta.put("hwnas.weights", r.weights() == null ? "initial (seed " + r.seed() + ")"
                : r.weights().getFileName().toString());
        meta.putAll(r.metadata());
        try (NDManager m = NDManager.newBaseManager()) {
            DjlRuntime.seed(r.seed());
            NetworkBlock block = r.weights() == null ? DjlNetworks.initialized(net, m, DataType.FLOAT32, 1)
                    : WeightsFile.load(net, r.weights(), m);
            ModelProto floatModel = OnnxExporter.folding().export(block, meta);
            byte[] floatBytes = floatModel.toByteArray();
            byte[] bytes = floatBytes;
            Int8Check check = null;
            if (r.int8()) {
                Shape in = net.inputShape(); // a space may fix the resolution (mobilenet) whatever --input says
                CalibrationImages.Batch cal = r.calibration().batch(in, r.calibrationSamples(), true, r.dataDir(), r.seed());
                Int8Quantizer.Quantized q = Int8Quantizer.quantizeReporting(floatModel, cal.x(),
                        shape(in, cal.count()), r.int8Options());
                bytes = q.model().toByteArray();
                check = r.verify() ? checkInt8(block, floatBytes, bytes, r, q.options()) : null;
            }
            write(r.out(), bytes);
            Verification v = r.verify() && !r.int8() ? Verification.of(bytes, block, r.seed(), VERIFY_BATCH,
                    LATENCY_RUNS) : null;
            LOG.debug("exported {} to {} ({} bytes)", r.arch(), r.out(), bytes.length);
            return new Result(r.out(), bytes.length, meta, v, check);
        }
    }

    private static Int8Check checkInt8(NetworkBlock block, byte[] floatBytes, byte[] int8Bytes, ExportRequest r,
            Int8Options options) {
        Shape in = block.network().inputShape();
        CalibrationImages.Batch b = r.calibration().batch(in, r.checkSamples(), false, r.dataDir(), r.seed());
        long[] shape = shape(in, b.count());
        float[] ref = Verification.djl(block, b.x(), shape);
        float[] q;
        float[] f;
        double latency;
        double floatLatency;
        try (OrtModel ort = new OrtModel(int8Bytes, 1); OrtModel fort = new OrtModel(floatBytes, 1)) {
            q = ort.run(b.x(), shape);
            f = fort.run(b.x(), shape);
            float[] one = java.util.Arrays.copyOf(b.x(), (int) in.elements());
            latency = ort.medianLatencyMs(one, shape(in, 1), 3, LATENCY_RUNS);
            floatLatency = fort.medianLatencyMs(one, shape(in, 1), 3, LATENCY_RUNS);
        }
        int classes = ref.length / b.count();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : ref) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int agreeQ = 0;
        int agreeF = 0;
        int correctQ = 0;
        int correctF = 0;
        for (int i = 0; i < b.count(); i++) {
            int tr = argmax(ref, i, classes);
            int tq = argmax(q, i, classes);
            agreeQ += tr == tq ? 1 : 0;
            agreeF += tr == argmax(f, i, classes) ? 1 : 0;
            if (b.labels() != null) {
                correctQ += tq == b.labels()[i] ? 1 : 0;
                correctF += tr == b.labels()[i] ? 1 : 0;
            }
        }
        double n = b.count();
        return new Int8Check(b.count(), Verification.maxAbsDiff(ref, q), max - min, agreeQ / n, agreeF / n,
                b.labels() == null ? Double.NaN : correctQ / n, b.labels() == null ? Double.NaN : correctF / n,
                floatBytes.length, latency, floatLatency, options);
    }

    static int argmax(float[] v, int row, int width) {
        return Logits.argmax(v, row, width);
    }

    private static long[] shape(Shape s, int n) {
        return new long[] {n, s.channels(), s.height(), s.width()};
    }

    private static void write(Path out, byte[] bytes) {
        io.hwnas.core.io.AtomicFiles.write(out, bytes);
    }
}
