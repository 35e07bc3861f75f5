package io.hwnas.experiments.export.graph;

/** The names of the one input and the one output tensor of every exported ONNX model. */
public final class OnnxNames {

    /** The model input, batch x C x H x W. */
    public static final String INPUT = "input";
    /** The model output, the logits. */
    public static final String OUTPUT = "output";

    private OnnxNames() {
    }
}
