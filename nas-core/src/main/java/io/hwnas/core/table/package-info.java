/**
 * Benchmark tables: the shipped and user CSV tables (published accuracies, measured latencies), read with
 * Jackson's CSV module.
 */
package io.hwnas.core.table;
