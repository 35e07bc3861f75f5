/**
 * ONNX export of searched architectures: {@link io.hwnas.experiments.export.OnnxExporter} writes the IR
 * plus the DJL parameters as an opset-17 model (protobuf classes generated from the official
 * {@code onnx.proto}), {@link io.hwnas.experiments.export.int8.Int8Quantizer} turns it into an int8 QDQ
 * model calibrated in ONNX Runtime (package {@code export.int8}, on the graph writer and ONNX Runtime session of
 * {@code export.graph}), {@link io.hwnas.experiments.export.Verification} runs it in ONNX
 * Runtime against the DJL network, and {@link io.hwnas.experiments.export.ModelExporter} and
 * {@link io.hwnas.experiments.export.RunDirectoryExport} drive {@code hwnas export}.
 *
 * <p>Layer mapping: CONV2D is Conv (groups kept; a batch norm that alone reads a convolution is folded
 * into it), BATCH_NORM otherwise BatchNormalization, RELU Relu, RELU6 Clip(0, 6), HSWISH HardSwish,
 * SIGMOID Sigmoid, ADD Add (two inputs) or Sum, CONCAT Concat(axis 1), AVG_POOL AveragePool with
 * {@code count_include_pad} as the DJL network computes it (see {@link
 * io.hwnas.experiments.export.DjlSemantics}), MAX_POOL MaxPool, GLOBAL_AVG_POOL GlobalAveragePool, LINEAR
 * Flatten + Gemm (transB), SQUEEZE_EXCITE GlobalAveragePool, Conv 1x1, Relu, Conv 1x1, Sigmoid, Mul,
 * CHANNEL_SHUFFLE Reshape-Transpose-Reshape, IDENTITY Identity, ZERO Mul by 0 (in the deployment form left out where
 * only sums read it, else a depthwise 1x1 Conv with zero weights; layers only zeros read are left out).
 */
package io.hwnas.experiments.export;
