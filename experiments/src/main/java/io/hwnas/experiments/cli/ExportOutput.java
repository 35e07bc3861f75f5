package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.Json;
import io.hwnas.experiments.export.ModelExporter;
import io.hwnas.experiments.export.OnnxExporter;
import io.hwnas.experiments.export.TestAccuracy;
import io.hwnas.experiments.export.Verification;
import io.hwnas.experiments.export.int8.Int8Options;
import io.hwnas.experiments.export.int8.RangeMethod;
import java.io.PrintWriter;
import java.util.Locale;

/** What {@code hwnas export} prints: an uncompressed model as text or JSON, and a single export's test top-1. */
final class ExportOutput {

    private ExportOutput() {
    }

    /** Adds a single export's test top-1 ({@code test_top1}, {@code test_images}) when it was measured. */
    static void test(ObjectNode o, TestAccuracy.Measured test) {
        if (test != null) {
            test(o, test.accuracy());
            o.put("test_inputs", test.input().describe());
        }
    }

    /** Adds a test top-1 ({@code test_top1}, {@code test_images}, {@code test_top1_ort_default} of QDQ models). */
    static void test(ObjectNode o, TestAccuracy test) {
        o.put("test_top1", test.top1());
        o.put("test_images", test.images());
        if (!Double.isNaN(test.ortDefaultTop1())) {
            o.put("test_top1_ort_default", test.ortDefaultTop1());
        }
    }

    /** Prints a single export's test top-1 when it was measured. */
    static void test(PrintWriter w, TestAccuracy.Measured test) {
        if (test != null) {
            test(w, test.accuracy(), test.input());
        }
    }

    /** Prints a test top-1, with the dataset and inputs when {@code input} is given. */
    static void test(PrintWriter w, TestAccuracy test, io.hwnas.experiments.export.InputNormalisation input) {
        w.printf(Locale.ROOT, "  test top-1 in ONNX Runtime: %.2f%% of %d test images%s%s%n", test.top1(),
                test.images(), Double.isNaN(test.ortDefaultTop1()) ? "" : String.format(Locale.ROOT, " (as written; "
                        + "with ONNX Runtime's default QDQ transformations %.2f%%)", test.ortDefaultTop1()),
                input == null ? "" : " of " + input.describeDataset() + "; inputs: " + input.describe());
        w.flush();
    }

    private static void verifyJson(ObjectNode j, Verification v) {
        j.put("samples", v.batch());
        j.put("max_abs_diff", v.maxAbsDiff());
        j.put("max_abs_output", v.maxAbsOutput());
        j.put("relative_diff", v.relativeDiff());
        j.put("relative_tolerance", Verification.RELATIVE_TOLERANCE);
        if (!Double.isNaN(v.float32Error())) {
            j.put("djl_float32_error", v.float32Error());
        }
        j.put("tolerance", v.tolerance());
        j.put("within_tolerance", v.withinTolerance());
        j.put("ort_median_latency_ms", v.latencyMs());
    }

    static ObjectNode json(ModelExporter.Result r) {
        ObjectNode o = Json.object();
        o.put("file", r.file().toString());
        o.put("bytes", r.bytes());
        o.put("opset", OnnxExporter.OPSET);
        o.set("metadata", Json.MAPPER.valueToTree(r.metadata()));
        Verification v = r.verification();
        if (v != null) {
            verifyJson(o.putObject("verify"), v);
        }
        ModelExporter.Int8Check c = r.int8();
        if (c != null) {
            ObjectNode j = o.putObject("int8");
            j.put("samples", c.samples());
            j.put("max_abs_diff", c.maxAbsDiff());
            j.put("float_logit_range", c.logitRange());
            j.put("tolerance", ModelExporter.Int8Check.TOLERANCE + " x float logit range");
            j.put("within_tolerance", c.withinTolerance());
            j.put("top1_agreement", c.top1());
            j.put("float_onnx_top1_agreement", c.floatTop1());
            if (!Double.isNaN(c.labelAccuracyInt8())) {
                j.put("accuracy_int8", c.labelAccuracyInt8());
                j.put("accuracy_float", c.labelAccuracyFloat());
            }
            j.put("float_bytes", c.floatBytes());
            j.put("size_ratio", (double) r.bytes() / c.floatBytes());
            j.put("ort_median_latency_ms", c.latencyMs());
            j.put("float_ort_median_latency_ms", c.floatLatencyMs());
            Int8Options q = c.options();
            j.put("ranges", q.method().name().toLowerCase(Locale.ROOT));
            j.put("tensors", q.allTensors() ? "all" : "conv-inputs");
            if (q.method() == RangeMethod.PERCENTILE) {
                j.put("percentile", q.percentile());
            }
            ArrayNode kept = j.putArray("float_layers");
            if (q.floatFirstConv()) {
                kept.add("first-conv");
            }
            if (q.floatLastGemm()) {
                kept.add("classifier");
            }
            if (q.floatSqueezeExcite()) {
                kept.add("se");
            }
            q.floatNodes().stream().sorted().forEach(kept::add);
            q.floatTensors().stream().sorted().forEach(t -> kept.add("tensor " + t));
            j.put("target_agreement", q.targetAgreement());
            j.put("quantization", q.describe());
        }
        return o;
    }

    static void print(PrintWriter w, ModelExporter.Result r) {
        w.printf(Locale.ROOT, "wrote %s (%,d bytes, ONNX opset %d)%n", r.file(), r.bytes(), OnnxExporter.OPSET);
        Verification v = r.verification();
        if (v != null) {
            String noise = Double.isNaN(v.float32Error()) ? ""
                    : String.format(Locale.ROOT, " or 10 x DJL's own float32 error %.3g", v.float32Error());
            w.printf(Locale.ROOT, "  ONNX Runtime vs DJL: max abs diff %.3g on %d seeded inputs (outputs up to %.3g):"
                    + " relative %.2g, tolerance %.0g%s: %s%n", v.maxAbsDiff(), v.batch(), v.maxAbsOutput(),
                    v.relativeDiff(), Verification.RELATIVE_TOLERANCE, noise, v.withinTolerance() ? "ok" : "EXCEEDED");
            w.printf(Locale.ROOT, "  ONNX Runtime median latency %.3f ms (batch 1, 1 thread, this host)%n", v.latencyMs());
        }
        ModelExporter.Int8Check c = r.int8();
        if (c != null) {
            w.printf(Locale.ROOT, "  int8 vs float DJL on %d inputs: top-1 agreement %.1f%% (float ONNX %.1f%%),"
                    + " max abs logit diff %.3g = %.1f%% of the logit range (tolerance %.0f%%: %s)%n",
                    c.samples(), 100 * c.top1(), 100 * c.floatTop1(), c.maxAbsDiff(),
                    100 * c.maxAbsDiff() / c.logitRange(), 100 * ModelExporter.Int8Check.TOLERANCE,
                    c.withinTolerance() ? "ok" : "EXCEEDED");
            if (!Double.isNaN(c.labelAccuracyInt8())) {
                w.printf(Locale.ROOT, "  accuracy on labels: float %.1f%%, int8 %.1f%%%n", 100 * c.labelAccuracyFloat(),
                        100 * c.labelAccuracyInt8());
            }
            w.printf(Locale.ROOT, "  quantisation: %s%n", c.options().describe());
            w.printf(Locale.ROOT, "  size %,d bytes int8 vs %,d float (ratio %.3f); ORT median latency int8 %.3f ms,"
                    + " float %.3f ms%n", r.bytes(), c.floatBytes(), (double) r.bytes() / c.floatBytes(), c.latencyMs(),
                    c.floatLatencyMs());
        }
        w.flush();
    }
}
