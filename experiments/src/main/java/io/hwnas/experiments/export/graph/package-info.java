/**
 * ONNX graph plumbing shared by the float exporter and the int8 quantiser: a protobuf graph writer, the models'
 * input and output names, an ONNX Runtime session that runs a model, and top-1 classes of its outputs.
 */
package io.hwnas.experiments.export.graph;
