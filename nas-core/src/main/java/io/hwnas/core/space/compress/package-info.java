/** Compression decisions (per-layer weight and activation bits, channel pruning) wrapped around any search space. */
package io.hwnas.core.space.compress;
