/**
 * Short supervised training of IR networks on DJL, its options, results and saved weights, the train accuracy
 * estimator and the training throughput benchmark.
 */
package io.hwnas.core.train;
