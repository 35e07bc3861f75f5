/** Fake quantisation of DJL networks for compressed architectures, quantisation-aware fine-tuning and the qat estimator. */
package io.hwnas.core.quant;
