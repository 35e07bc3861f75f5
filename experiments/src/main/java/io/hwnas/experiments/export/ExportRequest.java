package io.hwnas.experiments.export;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.FashionMnist;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.export.int8.Int8Options;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link ModelExporter#export} exports: an architecture of a search space to an ONNX file, float or int8,
 * verified or not; built with {@link #builder}, every field but space, architecture and file having a default.
 */
public final class ExportRequest {

    private final SearchSpace space;
    private final Architecture arch;
    private final Path out;
    private final Shape input;
    private final int classes;
    private final Path weights;
    private final boolean verify;
    private final boolean int8;
    private final Int8Options int8Options;
    private final CalibrationImages calibration;
    private final int calibrationSamples;
    private final int checkSamples;
    private final Path dataDir;
    private final Map<String, String> metadata;
    private final long seed;

    private ExportRequest(Builder b) {
        space = b.space;
        arch = Objects.requireNonNull(b.arch, "arch");
        out = Objects.requireNonNull(b.out, "out");
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(b.metadata)); // in order: the file is deterministic
        int8Options = b.int8Options == null ? Int8Options.defaults() : b.int8Options;
        if (b.calibrationSamples <= 0 || b.checkSamples <= 0) {
            throw new IllegalArgumentException("calibration and check samples must be positive");
        }
        input = b.input == null ? space.defaultInput() : b.input;
        classes = b.classes == null ? space.defaultClasses() : b.classes;
        weights = b.weights;
        verify = b.verify;
        int8 = b.int8;
        calibration = b.calibration;
        calibrationSamples = b.calibrationSamples;
        checkSamples = b.checkSamples;
        dataDir = b.dataDir;
        seed = b.seed;
    }

    /** A builder exporting {@code arch} of {@code space} (options set) to the ONNX file {@code out}. */
    public static Builder builder(SearchSpace space, Architecture arch, Path out) {
        return new Builder(space, arch, out);
    }

    /** The search space, options set. */
    public SearchSpace space() {
        return space;
    }

    /** An architecture of the space. */
    public Architecture arch() {
        return arch;
    }

    /** The ONNX file to write. */
    public Path out() {
        return out;
    }

    /** The input shape per sample (default: the space's). */
    public Shape input() {
        return input;
    }

    /** The number of classes (default: the space's). */
    public int classes() {
        return classes;
    }

    /** A weights file written by nas-core's training ({@code Weights}), or null for seeded initial weights. */
    public Path weights() {
        return weights;
    }

    /** Run the file in ONNX Runtime against DJL (default off). */
    public boolean verify() {
        return verify;
    }

    /** Write the int8 QDQ model instead of the float one (default off). */
    public boolean int8() {
        return int8;
    }

    /** How the int8 model is quantised (default: {@link Int8Options#defaults()}). */
    public Int8Options int8Options() {
        return int8Options;
    }

    /** Where int8 calibration and its checks take inputs from (default: synthetic). */
    public CalibrationImages calibration() {
        return calibration;
    }

    /** Samples in the calibration batch (default 256). */
    public int calibrationSamples() {
        return calibrationSamples;
    }

    /** Samples in the int8 top-1 agreement check (default 1000). */
    public int checkSamples() {
        return checkSamples;
    }

    /** The Fashion-MNIST directory (default {@link FashionMnist#DEFAULT_DIR}). */
    public Path dataDir() {
        return dataDir;
    }

    /** Extra metadata properties (device costs, run name). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Seed of initial weights and of the verification inputs (default 0). */
    public long seed() {
        return seed;
    }

    /** Sets the fields one by one; {@link #build()} checks them. */
    public static final class Builder {

        private final SearchSpace space;
        private final Architecture arch;
        private final Path out;
        private Shape input;
        private Integer classes;
        private Path weights;
        private boolean verify;
        private boolean int8;
        private Int8Options int8Options;
        private CalibrationImages calibration = CalibrationImages.SYNTHETIC;
        private int calibrationSamples = 256;
        private int checkSamples = 1000;
        private Path dataDir = FashionMnist.DEFAULT_DIR;
        private Map<String, String> metadata = Map.of();
        private long seed;

        private Builder(SearchSpace space, Architecture arch, Path out) {
            this.space = Objects.requireNonNull(space, "space");
            this.arch = arch;
            this.out = out;
        }

        /** See {@link ExportRequest#input()}; null: the space's. */
        public Builder input(Shape s) {
            input = s;
            return this;
        }

        /** See {@link ExportRequest#classes()}; null: the space's. */
        public Builder classes(Integer n) {
            classes = n;
            return this;
        }

        /** See {@link ExportRequest#weights()}. */
        public Builder weights(Path file) {
            weights = file;
            return this;
        }

        /** See {@link ExportRequest#verify()}. */
        public Builder verify(boolean b) {
            verify = b;
            return this;
        }

        /** See {@link ExportRequest#int8()}. */
        public Builder int8(boolean b) {
            int8 = b;
            return this;
        }

        /** See {@link ExportRequest#int8Options()}; null: the defaults. */
        public Builder int8Options(Int8Options options) {
            int8Options = options;
            return this;
        }

        /** See {@link ExportRequest#calibration()} and {@link ExportRequest#calibrationSamples()}. */
        public Builder calibration(CalibrationImages images, int samples) {
            calibration = images;
            calibrationSamples = samples;
            return this;
        }

        /** See {@link ExportRequest#checkSamples()}. */
        public Builder checkSamples(int n) {
            checkSamples = n;
            return this;
        }

        /** See {@link ExportRequest#dataDir()}. */
        public Builder dataDir(Path dir) {
            dataDir = dir;
            return this;
        }

        /** See {@link ExportRequest#metadata()}. */
        public Builder metadata(Map<String, String> m) {
            metadata = m;
            return this;
        }

        /** See {@link ExportRequest#seed()}. */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /**
         * The request.
         *
         * @throws IllegalArgumentException when the sample counts are not positive
         */
        public ExportRequest build() {
            return new ExportRequest(this);
        }
    }
}
