package io.hwnas.experiments.cli;

import io.hwnas.experiments.export.CalibrationImages;
import io.hwnas.experiments.export.int8.Int8Options;
import io.hwnas.experiments.export.int8.RangeMethod;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The fixed value sets of {@code hwnas export}'s options as enums, with picocli completion candidates; values are
 * parsed case-insensitively and a bad one fails with a message naming the option, the value and the allowed values
 * (exit 2), as before picocli types.
 */
final class ExportChoices {

    private ExportChoices() {
    }

    /** {@code --int8-tensors}: which activations are quantised. */
    enum Int8Tensors {
        ALL, CONV_INPUTS;

        String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Int8Tensors parse(String text) {
            return ExportChoices.parse("--int8-tensors", text, values(), Int8Tensors::id);
        }

        /** Completion candidates of {@code --int8-tensors}. */
        static final class Candidates implements Iterable<String> {
            @Override
            public Iterator<String> iterator() {
                return Arrays.stream(values()).map(Int8Tensors::id).iterator();
            }
        }
    }

    /** {@code --int8-float}: layers kept in float. */
    enum FloatLayer {
        FIRST_CONV, CLASSIFIER, SE;

        String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static FloatLayer parse(String text) {
            return ExportChoices.parse("--int8-float", text, values(), FloatLayer::id);
        }

        /** Sets this layer's float flag on the options. */
        void keep(Int8Options.Builder o) {
            switch (this) {
                case FIRST_CONV -> o.floatFirstConv(true);
                case CLASSIFIER -> o.floatLastGemm(true);
                case SE -> o.floatSqueezeExcite(true);
                default -> throw new AssertionError(this);
            }
        }

        /** Completion candidates of {@code --int8-float}. */
        static final class Candidates implements Iterable<String> {
            @Override
            public Iterator<String> iterator() {
                return Arrays.stream(values()).map(FloatLayer::id).iterator();
            }
        }
    }

    /** Completion candidates of {@code --int8-ranges}. */
    static final class RangeCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(RangeMethod.values()).map(RangeMethod::id).iterator();
        }
    }

    /** Completion candidates of {@code --calibration}. */
    static final class CalibrationCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(CalibrationImages.values())
                    .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).iterator();
        }
    }

    /** Completion candidates of {@code --format}. */
    static final class FormatCandidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("onnx").iterator();
        }
    }

    private static <E extends Enum<E>> E parse(String option, String text, E[] values,
            java.util.function.Function<E, String> id) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (E v : values) {
            if (id.apply(v).equals(t)) {
                return v;
            }
        }
        throw new UsageException(option + " '" + text + "' is not known; allowed: "
                + Arrays.stream(values).map(id).collect(Collectors.joining(", ")));
    }
}
