/** Weight-sharing supernets: one set of weights for every subnet of an MBConv space, subnet extraction, sandwich-rule training in an exactly resumable checkpointed loop, and subnet evaluation with recalibrated batch norm. */
package io.hwnas.core.supernet;
