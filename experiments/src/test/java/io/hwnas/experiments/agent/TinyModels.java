package io.hwnas.experiments.agent;

import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.experiments.export.LayerWeights;
import io.hwnas.experiments.export.OnnxExporter;
import java.util.Map;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;

/** Small ONNX models for the agent's tests. */
final class TinyModels {

    private TinyModels() {
    }

    /** conv 3->8 on 8x8, relu, global pool, linear to 4 classes: runs in well under a millisecond. */
    static byte[] tiny() {
        NetworkBuilder b = new NetworkBuilder(new Shape(3, 8, 8));
        int x = b.conv("conv", b.input(), 8, 3, 1, 1, 1, false);
        x = b.relu("relu", x);
        x = b.globalAvgPool("pool", x);
        b.linear("fc", x, 4, true);
        Network net = b.build();
        return OnnxExporter.folding().export(net, LayerWeights.random(net, 1), Map.of()).toByteArray();
    }

    /** A well-formed ONNX model whose one node is an operator ONNX Runtime does not know. */
    static byte[] unknownOperator() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("bad")
                .addInput(io.hwnas.experiments.export.graph.GraphWriter.floatValue("input", "batch", 4))
                .addOutput(io.hwnas.experiments.export.graph.GraphWriter.floatValue("output", "batch", 4))
                .addNode(NodeProto.newBuilder().setOpType("NoSuchOperator").setName("n").addInput("input")
                        .addOutput("output"));
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g).build().toByteArray();
    }
}
