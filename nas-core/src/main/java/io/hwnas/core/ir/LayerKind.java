package io.hwnas.core.ir;

/** The layer types of the IR; every consumer (cost models, DJL builder, exporters) switches on these. */
public enum LayerKind {
    INPUT,
    CONV2D,
    BATCH_NORM,
    RELU,
    RELU6,
    HSWISH,
    SIGMOID,
    ADD,
    CONCAT,
    AVG_POOL,
    MAX_POOL,
    GLOBAL_AVG_POOL,
    LINEAR,
    SQUEEZE_EXCITE,
    CHANNEL_SHUFFLE,
    IDENTITY,
    ZERO;

    /** True for the element-wise activations. */
    public boolean isActivation() {
        return this == RELU || this == RELU6 || this == HSWISH || this == SIGMOID;
    }

    /** True for layers that hold trainable weights. */
    public boolean hasWeights() {
        return this == CONV2D || this == BATCH_NORM || this == LINEAR || this == SQUEEZE_EXCITE;
    }

    /** The lower-case name used in JSON and tables, e.g. {@code global_avg_pool}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
