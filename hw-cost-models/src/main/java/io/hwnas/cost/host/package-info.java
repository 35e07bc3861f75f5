/** Measurement on this host, the only package of the module that runs networks with DJL: timing, the measured cost model, host profiling (compute, memory bandwidth, RAPL power) and firing-rate probes. */
package io.hwnas.cost.host;
