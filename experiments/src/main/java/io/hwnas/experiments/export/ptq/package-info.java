/** The ptq accuracy estimator: post-training quantisation of a compressed candidate, measured in ONNX Runtime. */
package io.hwnas.experiments.export.ptq;
