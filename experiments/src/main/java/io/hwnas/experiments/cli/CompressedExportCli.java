package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.io.Json;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.export.CalibrationImages;
import io.hwnas.experiments.export.CompressedExport;
import io.hwnas.experiments.export.CompressedFileExport;
import io.hwnas.experiments.export.TestAccuracy;
import java.io.PrintWriter;
import java.util.Locale;

/** {@code hwnas export} of a compressed architecture ({@code #q=...#p=...}): the mixed-precision QDQ model. */
final class CompressedExportCli {

    private CompressedExportCli() {
    }

    /** Exports, prints the layers (or JSON) and returns the exit code: 1 when {@code --verify} fails. */
    static int run(ExportCommand c, SearchSpace s) {
        if (c.int8) {
            throw new UsageException("--int8 applies to uncompressed architectures; a compressed architecture's bits"
                    + " come from its #q= suffix");
        }
        if (c.int8Ranges != null || c.int8Percentile != null || !c.int8Float.isEmpty() || c.int8Target != null
                || c.int8Tensors != null || !c.metadata.isEmpty()) {
            throw new UsageException("--int8-* and --metadata apply to uncompressed exports only");
        }
        if (c.classes != null && c.classes <= 0) {
            throw new UsageException("--classes must be a positive integer, but was " + c.classes);
        }
        if (c.calibrationSamples <= 0 || c.checkSamples <= 0) {
            throw new UsageException("--calibration-samples and --check-samples must be positive");
        }
        Architecture a = s.parse(c.arch);
        Shape in = c.input == null ? s.defaultInput() : Shape.parse(c.input);
        CalibrationImages images = CalibrationImages.parse(c.calibration == null ? "synthetic" : c.calibration);
        CompressedFileExport.Result r = CompressedFileExport.export(s, a, in,
                c.classes == null ? s.defaultClasses() : c.classes, c.weights, c.ranges, images, c.calibrationSamples,
                percentile(c), c.checkSamples, c.data == null ? io.hwnas.core.data.FashionMnist.DEFAULT_DIR : c.data, c.verify,
                c.seed, c.out);
        TestAccuracy.Measured test = c.noTestAccuracy ? null
                : TestAccuracy.besideWeights(c.weights, r.file(), r.input(), true);
        if (test != null) {
            appendCard(r.card(), test.accuracy().cardLine(r.file().getFileName().toString(), test.input()));
        }
        PrintWriter w = c.spec.commandLine().getOut();
        if (c.json) {
            ObjectNode o = json(r);
            ExportOutput.test(o, test);
            Json.print(w, o);
        } else {
            print(w, r);
            ExportOutput.test(w, test);
        }
        return verdict(c, r);
    }

    private static void appendCard(java.nio.file.Path card, String line) {
        try {
            io.hwnas.core.io.AtomicFiles.writeString(card, java.nio.file.Files.readString(card) + "\n" + line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot update " + card, e);
        }
    }

    /** 1, with a message on stderr, when the check ran and the agreement is below the required one; else 0. */
    static int verdict(ExportCommand c, CompressedFileExport.Result r) {
        CompressedExport.Check k = r.check();
        if (k != null && !k.withinTolerance()) {
            c.spec.commandLine().getErr().printf(Locale.ROOT, "hwnas export: %s agrees with the simulated-quantisation"
                    + " reference on %.4f of %d inputs; at least %.2f is required%n", r.file(), k.agreement(),
                    k.samples(), CompressedExport.MIN_AGREEMENT);
            c.spec.commandLine().getErr().flush();
            return 1;
        }
        return 0;
    }

    /** The options of a run directory's compressed members, from the command's flags. */
    static io.hwnas.experiments.export.CompressedRunExport.Options runOptions(ExportCommand c) {
        if (c.ranges != null) {
            throw new UsageException("--ranges applies to single exports; a run's members use their own recorded "
                    + "ranges (models/<device>/<k>/activation-ranges.json or trained/<key>.ranges.json)");
        }
        return new io.hwnas.experiments.export.CompressedRunExport.Options(c.calibration == null ? null
                : CalibrationImages.parse(c.calibration), c.calibrationSamples, percentile(c), c.checkSamples, c.data,
                c.verify);
    }

    /** {@code --calibration-percentile}: above 50 and at most 100, and only when ranges are calibrated. */
    static double percentile(ExportCommand c) {
        if (c.calibrationPercentile == null) {
            return 100;
        }
        if (c.ranges != null) {
            throw new UsageException("--calibration-percentile applies to calibrated ranges; --ranges " + c.ranges
                    + " gives them");
        }
        try {
            io.hwnas.core.quant.PercentileRange.check(c.calibrationPercentile, "--calibration-percentile");
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return c.calibrationPercentile;
    }

    static ObjectNode json(CompressedFileExport.Result r) {
        ObjectNode o = Json.object();
        o.put("file", r.file().toString());
        o.put("bytes", r.bytes());
        o.put("float_bytes", r.floatBytes());
        o.put("opset", r.opset());
        o.put("card", r.card().toString());
        o.put("weights", r.weights());
        o.put("activation_ranges", r.ranges());
        o.set("compression", CompressedFileExport.json(r.rows()));
        CompressedExport.Check k = r.check();
        if (k != null) {
            ObjectNode v = o.putObject("verify");
            v.put("samples", k.samples());
            v.put("inputs", k.inputs());
            v.put("top1_agreement", k.agreement());
            v.put("required_agreement", CompressedExport.MIN_AGREEMENT);
            v.put("max_abs_diff", k.maxAbsDiff());
            v.put("logit_range", k.logitRange());
            v.put("within_tolerance", k.withinTolerance());
            v.put("ort_default_top1_agreement", k.defaultAgreement());
            v.put("ort_default_max_abs_diff", k.defaultMaxAbsDiff());
            v.put("fake_quantised_top1_agreement", k.fakeQuantAgreement());
        }
        return o;
    }

    static void print(PrintWriter w, CompressedFileExport.Result r) {
        w.printf(Locale.ROOT, "wrote %s (%,d bytes, ONNX opset %d; the float model of the same network %,d bytes)%n",
                r.file(), r.bytes(), r.opset(), r.floatBytes());
        w.printf("  weights: %s; activation ranges: %s; model card %s%n", r.weights(), r.ranges(), r.card());
        w.printf("%-40s %5s %5s %9s  %-44s %s%n", "layer", "wbits", "abits", "kept", "weights stored", "input stored");
        for (CompressedFileExport.Row row : r.rows()) {
            w.printf("%-40s %5d %5d %9s  %-44s %s%s%n", row.layer().name(), row.layer().weightBits(),
                    row.layer().activationBits(), row.layer().kept() + "/" + row.layer().channels(),
                    row.stored().weights(), row.stored().activation(),
                    row.stored().fallback().isEmpty() ? "" : "  (fallback: " + row.stored().fallback() + ")");
        }
        CompressedExport.Check k = r.check();
        if (k != null) {
            w.printf(Locale.ROOT, "  ONNX Runtime vs the simulated-quantisation DJL reference on %d %s: top-1 agreement"
                    + " %.4f (required %.2f: %s), max abs logit diff %.3g (logit range %.3g); with ONNX Runtime's"
                    + " default options %.4f; with the fake-quantised DJL network of quantisation-aware training %.4f%n",
                    k.samples(), k.inputs(), k.agreement(), CompressedExport.MIN_AGREEMENT,
                    k.withinTolerance() ? "ok" : "EXCEEDED", k.maxAbsDiff(), k.logitRange(), k.defaultAgreement(),
                    k.fakeQuantAgreement());
        }
        w.flush();
    }
}
