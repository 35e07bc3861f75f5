package io.hwnas.experiments.export;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code hwnas export RUN_DIR} of a member whose architecture is compressed ({@code #q=...#p=...}): its
 * mixed-precision QDQ model ({@link CompressedFileExport}) as {@code model.onnx} with its per-layer card
 * {@code model.card.md}, from the member's trained weights ({@code models/<device>/<k>/weights.params}, else
 * {@code trained/<key>.params}; neither: seeded initial weights) and its recorded activation ranges
 * ({@code models/<device>/<k>/activation-ranges.json}, else {@code trained/<key>.ranges.json}, in the format of
 * {@code hwnas train --qat-ranges}); without recorded ranges they are calibrated as a single export calibrates.
 */
public final class CompressedRunExport {

    /** A member's recorded activation ranges beside its architecture. */
    public static final String RANGES = "activation-ranges.json";
    /** The same in the run's {@code trained/} folder, after the architecture's file key. */
    public static final String TRAINED_RANGES_SUFFIX = ".ranges.json";

    /**
     * How the members are exported.
     *
     * @param calibration        calibration inputs; null: Fashion-MNIST when the run's dataset is, else synthetic
     * @param calibrationSamples images calibrated on (members without recorded ranges)
     * @param percentile         the calibration percentile (100: min/max)
     * @param checkSamples       inputs of the check against the simulated-quantisation reference
     * @param dataDir            the Fashion-MNIST directory; null: the run's {@code dataset.dir} or the default
     * @param verify             whether each member is checked in ONNX Runtime
     */
    public record Options(CalibrationImages calibration, int calibrationSamples, double percentile, int checkSamples,
            Path dataDir, boolean verify) {

        public Options {
            if (calibrationSamples <= 0 || checkSamples <= 0) {
                throw new IllegalArgumentException("calibration and check samples must be positive");
            }
            io.hwnas.core.quant.PercentileRange.check(percentile, "calibration percentile");
        }

        /** Min/max calibration on 256 images, 1,000 check inputs, no check. */
        public static Options defaults() {
            return new Options(null, 256, 100, 1000, null, false);
        }
    }

    private CompressedRunExport() {
    }

    /** Refuses calibration options a run of uncompressed members would not use without {@code --int8}. */
    static void requireUsed(boolean compressedRun, boolean int8, Options o) {
        if (!compressedRun && !int8 && (o.calibration() != null || o.percentile() < 100)) {
            throw new IllegalArgumentException("--calibration and --calibration-percentile apply to --int8 exports"
                    + " and to runs of compressed architectures (#q=...#p=...); this run's are not compressed");
        }
    }

    /**
     * Exports member {@code dir} ({@code models/<device>/<k>}), replaces its card's export section and, with
     * {@code input} (the normalisation its final training recorded) and trained weights, measures its test top-1.
     */
    static RunDirectoryExport.Exported member(SearchSpace space, Shape input, int classes, Path run, String device,
            Path dir, Architecture a, Options o, CalibrationImages calibration, Path dataDir, long seed,
            InputNormalisation normalisation) {
        CompressedFileExport.Result r = export(space, input, classes, run, dir, a, o, calibration, dataDir, seed);
        TestAccuracy test = null;
        if (normalisation != null && !r.weights().startsWith("initial")) {
            try {
                test = TestAccuracy.measureQdq(Files.readAllBytes(r.file()), normalisation);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + r.file(), e);
            }
        }
        RunDirectoryExport.replaceExportSection(dir.resolve(RunDirectoryExport.CARD), cardSection(r)
                + (test == null ? "" : test.cardLine(RunDirectoryExport.MODEL, normalisation)));
        TestTop1File.write(dir, a.canonical(), normalisation, test == null ? java.util.Map.of()
                : java.util.Map.of(RunDirectoryExport.MODEL, test));
        return new RunDirectoryExport.Exported(device, dir.getFileName().toString(), null, test, r);
    }

    /**
     * Exports one member into {@code dir}.
     *
     * @param run the run directory (for {@code trained/})
     */
    static CompressedFileExport.Result export(SearchSpace space, Shape input, int classes, Path run, Path dir,
            Architecture a, Options o, CalibrationImages calibration, Path dataDir, long seed) {
        Path weights = first(dir.resolve(RunDirectoryExport.WEIGHTS), run.resolve("trained").resolve(a.fileKey()
                + ".params"));
        Path ranges = first(dir.resolve(RANGES), run.resolve("trained").resolve(a.fileKey() + TRAINED_RANGES_SUFFIX));
        return CompressedFileExport.export(space, a, input, classes, weights, ranges, calibration,
                o.calibrationSamples(), ranges == null ? o.percentile() : 100, o.checkSamples(), dataDir, o.verify(),
                seed, dir.resolve(RunDirectoryExport.MODEL));
    }

    private static Path first(Path a, Path b) {
        return Files.isRegularFile(a) ? a : Files.isRegularFile(b) ? b : null;
    }

    /** The export section of the member's model card: the file, where weights and ranges came from, the check. */
    static String cardSection(CompressedFileExport.Result r) {
        StringBuilder s = new StringBuilder(RunDirectoryExport.SECTION);
        s.append(String.format(Locale.ROOT, "%n- file: %s (%,d bytes, ONNX opset %d; mixed-precision QDQ, pruned"
                + " channels removed; the float model of the same network %,d bytes)%n", r.file().getFileName(),
                r.bytes(), r.opset(), r.floatBytes()));
        s.append("- weights: ").append(r.weights()).append("\n- activation ranges: ").append(r.ranges()).append('\n');
        s.append("- each layer's bits, kept channels and storage: ").append(r.card().getFileName()).append('\n');
        CompressedExport.Check c = r.check();
        if (c != null) {
            s.append(String.format(Locale.ROOT, "- ONNX Runtime vs the simulated-quantisation reference on %d %s: top-1"
                    + " agreement %.4f (required %.2f), max abs logit diff %.3g%n", c.samples(), c.inputs(),
                    c.agreement(), CompressedExport.MIN_AGREEMENT, c.maxAbsDiff()));
        }
        return s.toString();
    }
}
