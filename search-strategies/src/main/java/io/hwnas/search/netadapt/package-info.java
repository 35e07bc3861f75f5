/**
 * NetAdapt: shrinking a network step by step towards a latency target, keeping the most accurate candidate of
 * each step.
 */
package io.hwnas.search.netadapt;
