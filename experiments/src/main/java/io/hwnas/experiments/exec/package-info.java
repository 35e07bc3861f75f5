/** Executors that evaluate a strategy's batches (the SPI, its ServiceLoader registry and the local thread pool). */
package io.hwnas.experiments.exec;
