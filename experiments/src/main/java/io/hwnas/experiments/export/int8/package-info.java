/**
 * Int8 QDQ quantisation of exported float ONNX models: options ({@link io.hwnas.experiments.export.int8.Int8Options}),
 * activation ranges from a calibration batch run in ONNX Runtime, per-channel weight quantisation, the QDQ graph
 * rewrite and the accuracy fallback, driven by {@link io.hwnas.experiments.export.int8.Int8Quantizer}.
 */
package io.hwnas.experiments.export.int8;
