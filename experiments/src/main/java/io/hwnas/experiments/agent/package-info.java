/** The measurement agent: an HTTP service that times ONNX models in ONNX Runtime on a device, and its client. */
package io.hwnas.experiments.agent;
