/**
 * Zero-cost proxies (synflow, nwot, snip, grad_norm, jacov, parameter and FLOP counts) scored on untrained
 * DJL networks, and the estimators built on them.
 */
package io.hwnas.core.proxy;
