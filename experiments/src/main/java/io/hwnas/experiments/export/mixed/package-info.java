/** Mixed-precision QDQ ONNX models by the hwnas quantisation convention: per-layer weight and activation bits, ranges files and calibration. */
package io.hwnas.experiments.export.mixed;
