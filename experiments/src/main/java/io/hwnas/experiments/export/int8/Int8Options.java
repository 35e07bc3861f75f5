package io.hwnas.experiments.export.int8;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What to quantise and how; built with {@link #builder()} (the defaults of {@code hwnas export --int8}) or
 * {@link #toBuilder()}.
 */
public final class Int8Options {

    private final RangeMethod method;
    private final double percentile;
    private final boolean floatFirstConv;
    private final boolean floatLastGemm;
    private final boolean floatSqueezeExcite;
    private final Set<String> floatNodes;
    private final boolean biasCorrection;
    private final double targetAgreement;
    private final int maxFallback;
    private final boolean allTensors;
    private final Set<String> floatTensors;

    private Int8Options(Builder b) {
        floatTensors = Set.copyOf(b.floatTensors);
        if (b.method == null) {
            throw new IllegalArgumentException("int8 range method must be given");
        }
        if (!(b.percentile > 50 && b.percentile <= 100)) {
            throw new IllegalArgumentException("int8 percentile must be in (50, 100], but was " + b.percentile);
        }
        floatNodes = Set.copyOf(b.floatNodes);
        if (!(b.targetAgreement >= 0 && b.targetAgreement <= 1)) {
            throw new IllegalArgumentException("int8 target agreement must be in [0, 1], but was " + b.targetAgreement);
        }
        if (b.maxFallback < 0) {
            throw new IllegalArgumentException("int8 max fallback layers must be >= 0, but was " + b.maxFallback);
        }
        method = b.method;
        percentile = b.percentile;
        floatFirstConv = b.floatFirstConv;
        floatLastGemm = b.floatLastGemm;
        floatSqueezeExcite = b.floatSqueezeExcite;
        biasCorrection = b.biasCorrection;
        targetAgreement = b.targetAgreement;
        maxFallback = b.maxFallback;
        allTensors = b.allTensors;
    }

    /** A builder with the defaults of {@code hwnas export --int8}: every tensor, 99.999th percentile ranges. */
    public static Builder builder() {
        return new Builder();
    }

    /** What {@code hwnas export --int8} uses. */
    public static Int8Options defaults() {
        return builder().build();
    }

    /** Every Conv and Gemm quantised, min/max ranges (the plain scheme). */
    public static Int8Options minMax() {
        return builder().method(RangeMethod.MINMAX).percentile(100).build();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return new Builder().method(method).percentile(percentile).floatFirstConv(floatFirstConv)
                .floatLastGemm(floatLastGemm).floatSqueezeExcite(floatSqueezeExcite).floatNodes(floatNodes)
                .biasCorrection(biasCorrection).targetAgreement(targetAgreement).maxFallback(maxFallback)
                .allTensors(allTensors).floatTensors(floatTensors);
    }

    /** How activation ranges are set. */
    public RangeMethod method() {
        return method;
    }

    /** The upper percentile for {@link RangeMethod#PERCENTILE}, in (50, 100]. */
    public double percentile() {
        return percentile;
    }

    /** Keep the Conv reading the model input in float. */
    public boolean floatFirstConv() {
        return floatFirstConv;
    }

    /** Keep the Gemm writing the model output in float. */
    public boolean floatLastGemm() {
        return floatLastGemm;
    }

    /** Keep the squeeze-excite 1x1 convolutions (after a GlobalAveragePool, before a Sigmoid gate) in float. */
    public boolean floatSqueezeExcite() {
        return floatSqueezeExcite;
    }

    /** Names of further Conv/Gemm nodes to keep in float. */
    public Set<String> floatNodes() {
        return floatNodes;
    }

    /**
     * Subtract from each quantised node's bias the mean output shift its weight rounding causes on the calibration
     * batch ({@code (Wq - W) E[x]}, empirical bias correction).
     */
    public boolean biasCorrection() {
        return biasCorrection;
    }

    /**
     * Accuracy-driven fallback: while the int8 model's top-1 agreement with the float model on the calibration batch
     * is below this, keep the next most sensitive layer or (with allTensors) activation tensor (largest logit error
     * when quantised alone) in float (the agreement on a few hundred images moves by single images, so a step may
     * lower it; the logits' error falls); 0 turns it off.
     */
    public double targetAgreement() {
        return targetAgreement;
    }

    /** The most layers and tensors the fallback keeps in float. */
    public int maxFallback() {
        return maxFallback;
    }

    /**
     * Quantise every activation tensor (the outputs of Conv/Gemm after their Relu/Clip, Add, Mul, GlobalAveragePool,
     * Sigmoid, ...), the full QDQ form that ONNX Runtime fuses into integer kernels (QLinearConv, QLinearAdd, ...);
     * otherwise only the Conv/Gemm inputs, every other operator computing in float.
     */
    public boolean allTensors() {
        return allTensors;
    }

    /** Activation tensors left unquantised (no QuantizeLinear/DequantizeLinear pair). */
    public Set<String> floatTensors() {
        return floatTensors;
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

    @Override
    public boolean equals(Object o) {
        return o instanceof Int8Options x && method == x.method && Double.compare(percentile, x.percentile) == 0
                && floatFirstConv == x.floatFirstConv && floatLastGemm == x.floatLastGemm
                && floatSqueezeExcite == x.floatSqueezeExcite && floatNodes.equals(x.floatNodes)
                && biasCorrection == x.biasCorrection && Double.compare(targetAgreement, x.targetAgreement) == 0
                && maxFallback == x.maxFallback && allTensors == x.allTensors && floatTensors.equals(x.floatTensors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, percentile, floatFirstConv, floatLastGemm, floatSqueezeExcite, floatNodes,
                biasCorrection, targetAgreement, maxFallback, allTensors, floatTensors);
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Sets the options one by one; {@link #build()} checks them. */
    public static final class Builder {

        private RangeMethod method = RangeMethod.PERCENTILE;
        private double percentile = 99.999;
        private boolean floatFirstConv;
        private boolean floatLastGemm;
        private boolean floatSqueezeExcite;
        private Set<String> floatNodes = Set.of();
        private boolean biasCorrection;
        private double targetAgreement;
        private int maxFallback;
        private boolean allTensors = true;
        private Set<String> floatTensors = Set.of();

        private Builder() {
        }

        /** See {@link Int8Options#method()}. */
        public Builder method(RangeMethod m) {
            method = m;
            return this;
        }

        /** See {@link Int8Options#percentile()}. */
        public Builder percentile(double p) {
            percentile = p;
            return this;
        }

        /** See {@link Int8Options#floatFirstConv()}. */
        public Builder floatFirstConv(boolean b) {
            floatFirstConv = b;
            return this;
        }

        /** See {@link Int8Options#floatLastGemm()}. */
        public Builder floatLastGemm(boolean b) {
            floatLastGemm = b;
            return this;
        }

        /** See {@link Int8Options#floatSqueezeExcite()}. */
        public Builder floatSqueezeExcite(boolean b) {
            floatSqueezeExcite = b;
            return this;
        }

        /** See {@link Int8Options#floatNodes()}. */
        public Builder floatNodes(Set<String> names) {
            floatNodes = names;
            return this;
        }

        /** See {@link Int8Options#biasCorrection()}. */
        public Builder biasCorrection(boolean b) {
            biasCorrection = b;
            return this;
        }

        /** See {@link Int8Options#targetAgreement()}; 0 turns the fallback off. */
        public Builder targetAgreement(double target) {
            targetAgreement = target;
            return this;
        }

        /** See {@link Int8Options#maxFallback()}. */
        public Builder maxFallback(int max) {
            maxFallback = max;
            return this;
        }

        /** See {@link Int8Options#allTensors()}. */
        public Builder allTensors(boolean b) {
            allTensors = b;
            return this;
        }

        /** See {@link Int8Options#floatTensors()}. */
        public Builder floatTensors(Set<String> names) {
            floatTensors = names;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when a value is out of its range
         */
        public Int8Options build() {
            return new Int8Options(this);
        }
    }
}
