package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.export.CalibrationImages;
import io.hwnas.experiments.export.ExportRequest;
import io.hwnas.experiments.export.ModelExporter;
import io.hwnas.experiments.export.RunDirectoryExport;
import io.hwnas.experiments.export.TestAccuracy;
import io.hwnas.experiments.export.Verification;
import io.hwnas.experiments.export.int8.Int8Options;
import io.hwnas.experiments.export.int8.RangeMethod;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hwnas export}: an architecture, or every model of a run directory, as an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export an architecture (--space, --arch) or every model of a run directory to ONNX,",
                "optionally int8 (QDQ) and verified against the DJL network with ONNX Runtime."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "RUN_DIR", description = "a run directory to export all models of")
    Path run;

    @Option(names = "--device", description = "with RUN_DIR: only this device's models")
    String device;

    @Option(names = "--space", description = "search space: nb201, fbnet, mobilenet")
    String space;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "a space option, value in YAML syntax")
    List<String> options = List.of();

    @Option(names = "--arch", description = "the architecture string (or an NB201 index)")
    String arch;

    @Option(names = "--input", description = "input shape CxHxW (default: the space's)")
    String input;

    @Option(names = "--classes", description = "number of classes (default: the space's)")
    Integer classes;

    @Option(names = "--weights", description = "trained weights (DJL block parameter file)")
    Path weights;

    @Option(names = "--ranges", paramLabel = "FILE", description = "a compressed architecture's activation ranges"
            + " (hwnas-activation-ranges/1 JSON; default: calibrated on --calibration images)")
    Path ranges;

    @Option(names = "--format", defaultValue = "onnx", completionCandidates = ExportChoices.FormatCandidates.class,
            description = "output format; only onnx")
    String format;

    @Option(names = "--out", description = "the ONNX file to write")
    Path out;

    @Option(names = "--verify", description = "run the file in ONNX Runtime and compare with the DJL network")
    boolean verify;

    @Option(names = "--int8", description = "write an int8 QDQ model (per-channel weights, calibrated activations)")
    boolean int8;

    @Option(names = "--calibration", completionCandidates = ExportChoices.CalibrationCandidates.class,
            description = "int8 calibration inputs: fashion-mnist or synthetic (default; with RUN_DIR: fashion-mnist"
                    + " when the run's dataset is)")
    String calibration;

    @Option(names = "--calibration-samples", defaultValue = "256", description = "calibration batch size")
    int calibrationSamples;

    @Option(names = "--calibration-percentile", description = "compressed exports: clip calibrated ranges at this"
            + " percentile (above 50, at most 100; default min/max)")
    Double calibrationPercentile;

    @Option(names = "--check-samples", defaultValue = "1000", description = "inputs of the int8 top-1 check")
    int checkSamples;

    @Option(names = "--int8-ranges", paramLabel = "METHOD", completionCandidates = ExportChoices.RangeCandidates.class,
            description = "int8 activation ranges: percentile (default), minmax or mse")
    String int8Ranges;

    @Option(names = "--int8-percentile", paramLabel = "P", description = "upper percentile of --int8-ranges percentile"
            + " (default 99.999)")
    Double int8Percentile;

    @Option(names = "--int8-tensors", paramLabel = "WHICH", completionCandidates = ExportChoices.Int8Tensors.Candidates.class,
            description = "int8 activations quantised: all (default; every tensor, the full QDQ form ONNX Runtime fuses"
                    + " into integer kernels) or conv-inputs (only Conv/Gemm inputs; other operators stay float)")
    String int8Tensors;

    @Option(names = "--int8-float", paramLabel = "LAYERS", split = ",",
            completionCandidates = ExportChoices.FloatLayer.Candidates.class,
            description = "keep these in float in the int8 model: first-conv, classifier, se (comma-separated)")
    List<String> int8Float = List.of();

    @Option(names = "--int8-target-agreement", paramLabel = "A",
            description = "keep the most sensitive layers in float until the int8 model's top-1 agreement with the"
                    + " float model on the calibration batch reaches A (0..1; default 0: off)")
    Double int8Target;

    @Option(names = "--int8-max-fallback", paramLabel = "N", defaultValue = "10",
            description = "the most layers --int8-target-agreement keeps in float (default 10)")
    int int8MaxFallback;

    @Option(names = "--data", description = "Fashion-MNIST directory (default /usr/share/datasets/fashion-mnist)")
    Path data;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE",
            description = "extra metadata property, e.g. a device cost: cost.edgegpu.latency_ms=3.1")
    List<String> metadata = List.of();

    @Option(names = "--no-test-accuracy", description = "skip the test top-1 in ONNX Runtime of models whose training"
            + " recorded their input normalisation (a run's final training; --weights saved by hwnas train)")
    boolean noTestAccuracy;

    @Option(names = "--seed", defaultValue = "0", description = "seed of initial weights and verification inputs")
    long seed;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (!format.equalsIgnoreCase("onnx")) {
            throw new UsageException("--format '" + format + "' is not supported; allowed: onnx");
        }
        Int8Options quantization = int8Options();
        return run != null ? exportRun(quantization) : exportOne(quantization);
    }

    private int exportOne(Int8Options quantization) {
        if (space == null || arch == null || out == null) {
            throw new UsageException("export needs RUN_DIR, or --space, --arch and --out");
        }
        if (device != null) {
            throw new UsageException("--device applies to RUN_DIR exports only");
        }
        if (java.nio.file.Files.isDirectory(out)) {
            throw new UsageException("--out " + out + " is a folder; give the ONNX file to write, e.g. "
                    + out.resolve("model.onnx"));
        }
        SpaceOptions so = new SpaceOptions();
        so.space = space;
        so.options = options;
        SearchSpace s = io.hwnas.core.space.compress.CompressedSpaces.forText(so.resolve(), arch);
        if (s instanceof io.hwnas.core.space.compress.CompressedSpace) {
            return CompressedExportCli.run(this, s);
        }
        if (ranges != null || calibrationPercentile != null) {
            throw new UsageException((ranges != null ? "--ranges" : "--calibration-percentile") + " applies to "
                    + "compressed architectures (with #q=...#p=...) only; int8 exports take --int8-percentile");
        }
        Architecture a = s.parse(arch);
        Shape in = input == null ? s.defaultInput() : Shape.parse(input);
        if (classes != null && classes <= 0) {
            throw new UsageException("--classes must be a positive integer, but was " + classes);
        }
        CalibrationImages cal = CalibrationImages.parse(calibration == null ? "synthetic" : calibration);
        if (!int8 && calibration != null) {
            throw new UsageException("--calibration applies to --int8 exports only");
        }
        if (calibrationSamples <= 0 || checkSamples <= 0) {
            throw new UsageException("--calibration-samples and --check-samples must be positive");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (String m : metadata) {
            int eq = m.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--metadata '" + m + "' must have the form key=value");
            }
            String key = m.substring(0, eq);
            meta.put(key.startsWith("hwnas.") ? key : "hwnas." + key, m.substring(eq + 1));
        }
        ModelExporter.Result r = ModelExporter.export(ExportRequest.builder(s, a, out).input(in)
                .classes(classes == null ? s.defaultClasses() : classes).weights(weights).verify(verify).int8(int8)
                .int8Options(quantization).calibration(cal, calibrationSamples).checkSamples(checkSamples)
                .dataDir(data == null ? io.hwnas.core.data.FashionMnist.DEFAULT_DIR : data).metadata(meta).seed(seed)
                .build());
        report(r, noTestAccuracy ? null : TestAccuracy.besideWeights(weights, out,
                s.network(a, in, classes == null ? s.defaultClasses() : classes).inputShape(), false));
        return verdict(r);
    }

    private void report(ModelExporter.Result r, TestAccuracy.Measured test) {
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = ExportOutput.json(r);
            ExportOutput.test(o, test);
            Json.print(w, o);
        } else {
            ExportOutput.print(w, r);
            ExportOutput.test(w, test);
        }
    }

    private int exportRun(Int8Options quantization) {
        if (space != null || arch != null || out != null || weights != null) {
            throw new UsageException("with RUN_DIR the run supplies space, architectures and weights;"
                    + " --space, --arch, --out and --weights apply to single exports");
        }
        if (calibrationSamples <= 0 || checkSamples <= 0) {
            throw new UsageException("--calibration-samples and --check-samples must be positive");
        }
        List<RunDirectoryExport.Exported> all = RunDirectoryExport.export(run, device, seed, int8
                ? new RunDirectoryExport.Int8(calibration == null ? null : CalibrationImages.parse(calibration),
                        calibrationSamples, checkSamples, data, quantization)
                : null, !noTestAccuracy, CompressedExportCli.runOptions(this));
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            ArrayNode arr = Json.MAPPER.createArrayNode();
            for (RunDirectoryExport.Exported e : all) {
                ObjectNode o = e.compressed() != null ? CompressedExportCli.json(e.compressed())
                        : ExportOutput.json(e.result());
                o.put("device", e.device());
                o.put("member", e.member());
                if (e.test() != null) {
                    ExportOutput.test(o, e.test());
                }
                arr.add(o);
            }
            ObjectNode root = Json.object();
            root.put("run", run.toString());
            root.set("models", arr);
            Json.print(w, root);
        } else {
            for (RunDirectoryExport.Exported e : all) {
                w.printf("%s/%s: ", e.device(), e.member());
                if (e.compressed() != null) {
                    CompressedExportCli.print(w, e.compressed());
                } else {
                    ExportOutput.print(w, e.result());
                }
                if (e.test() != null) {
                    ExportOutput.test(w, e.test(), null);
                }
            }
            w.printf("exported %d models of %s%n", all.size(), run);
            w.flush();
        }
        int rc = 0;
        for (RunDirectoryExport.Exported e : all) {
            rc = Math.max(rc, e.compressed() != null ? CompressedExportCli.verdict(this, e.compressed())
                    : verdict(e.result()));
        }
        return rc;
    }

    /**
     * Exit code 1, with a message on stderr, when the float verification ran and the ONNX model's
     * outputs differ from the DJL network's by more than {@link Verification#tolerance}.
     */
    private int verdict(ModelExporter.Result r) {
        Verification v = r.verification();
        if (v == null || v.withinTolerance()) {
            return 0;
        }
        spec.commandLine().getErr().printf(Locale.ROOT, "hwnas export: %s differs from the DJL network by %.3g relative"
                + " to its largest output (max abs diff %.3g, outputs up to %.3g); the tolerance is %.0g of the largest"
                + " output or %.0f times the DJL network's own float32 error (%.3g against float64), whichever is"
                + " larger: %.3g%n", r.file(), v.relativeDiff(), v.maxAbsDiff(), v.maxAbsOutput(),
                Verification.RELATIVE_TOLERANCE, Verification.ERROR_FACTOR, v.float32Error(), v.tolerance());
        spec.commandLine().getErr().flush();
        return 1;
    }

    /** The quantiser options of the --int8-* flags; fails when they are given without --int8 or are not known. */
    private Int8Options int8Options() {
        if (!int8 && (int8Ranges != null || int8Percentile != null || !int8Float.isEmpty() || int8Target != null
                || int8Tensors != null)) {
            throw new UsageException("--int8-ranges, --int8-percentile, --int8-tensors, --int8-float and"
                    + " --int8-target-agreement apply to --int8 exports only");
        }
        if (int8Target != null && !(int8Target >= 0 && int8Target <= 1)) {
            throw new UsageException("--int8-target-agreement must be in [0, 1], but was " + int8Target);
        }
        if (int8MaxFallback < 0) {
            throw new UsageException("--int8-max-fallback must be >= 0, but was " + int8MaxFallback);
        }
        RangeMethod method = int8Ranges == null ? Int8Options.defaults().method() : RangeMethod.parse(int8Ranges);
        double p = int8Percentile == null ? Int8Options.defaults().percentile() : int8Percentile;
        if (!(p > 50 && p <= 100)) {
            throw new UsageException("--int8-percentile must be in (50, 100], but was " + p);
        }
        Int8Options.Builder o = Int8Options.builder().method(method).percentile(p)
                .targetAgreement(int8Target == null ? 0 : int8Target).maxFallback(int8MaxFallback);
        if (int8Tensors != null) {
            o.allTensors(ExportChoices.Int8Tensors.parse(int8Tensors) == ExportChoices.Int8Tensors.ALL);
        }
        for (String f : int8Float) {
            ExportChoices.FloatLayer.parse(f).keep(o);
        }
        return o.build();
    }
}
