package io.hwnas.experiments.export.graph;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/** Adds nodes, initialisers and typed inputs/outputs to an ONNX graph through the generated protobuf classes. */
public final class GraphWriter {

    private final GraphProto.Builder graph;
    private final Set<String> names = new HashSet<>();

    public GraphWriter(GraphProto.Builder graph) {
        this.graph = graph;
        for (TensorProto t : graph.getInitializerList()) {
            names.add(t.getName());
        }
        for (NodeProto n : graph.getNodeList()) {
            names.add(n.getName());
        }
    }

    public GraphProto.Builder graph() {
        return graph;
    }

    /** A node name not used yet, derived from {@code base}. */
    public String unique(String base) {
        String name = base;
        for (int i = 1; !names.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** Adds a node; attributes are built with the static helpers below. */
    public NodeProto.Builder node(String opType, String name, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(unique(name))
                .addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return n;
    }

    /** Adds a float initialiser and returns its name. */
    public String floats(String name, long[] dims, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return raw(name, dims, TensorProto.DataType.FLOAT, buf.array());
    }

    /** Adds an int64 initialiser and returns its name. */
    public String longs(String name, long[] dims, long[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        return raw(name, dims, TensorProto.DataType.INT64, buf.array());
    }

    /** Adds an int32 initialiser and returns its name. */
    public String ints(String name, long[] dims, int[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asIntBuffer().put(values);
        return raw(name, dims, TensorProto.DataType.INT32, buf.array());
    }

    /** Adds an int8 or uint8 initialiser and returns its name. */
    public String bytes(String name, long[] dims, byte[] values, boolean unsigned) {
        return raw(name, dims, unsigned ? TensorProto.DataType.UINT8 : TensorProto.DataType.INT8, values);
    }

    private String raw(String name, long[] dims, TensorProto.DataType type, byte[] data) {
        return raw(name, dims, type.getNumber(), data);
    }

    /**
     * Adds an initialiser of ONNX data type number {@code dataType} with raw little-endian data (also the types
     * this onnx.proto predates: 21 UINT4, 22 INT4, packed two per byte) and returns its name.
     */
    public String raw(String name, long[] dims, int dataType, byte[] data) {
        String unique = unique(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(unique).setDataType(dataType)
                .setRawData(ByteString.copyFrom(data));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return unique;
    }

    /** A float tensor type with a symbolic batch dimension followed by fixed dimensions. */
    public static ValueInfoProto floatValue(String name, String batchParam, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batchParam));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    /** The values of a float initialiser (raw little-endian data or the float list). */
    public static float[] floats(onnx.Onnx.TensorProto t) {
        if (t.getDataType() != onnx.Onnx.TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("initializer " + t.getName() + " is not float");
        }
        if (!t.getRawData().isEmpty()) {
            java.nio.ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            float[] f = new float[b.remaining() / 4];
            b.asFloatBuffer().get(f);
            return f;
        }
        float[] f = new float[t.getFloatDataCount()];
        for (int i = 0; i < f.length; i++) {
            f[i] = t.getFloatData(i);
        }
        return f;
    }
}
