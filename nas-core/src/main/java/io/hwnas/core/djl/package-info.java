/**
 * DJL networks and runtime: IR networks built as DJL blocks, weight inheritance, the PyTorch engine's
 * threads, seed and gradient lock, and the layout checks; the package through which the rest of hwnas reaches
 * DJL.
 */
package io.hwnas.core.djl;
