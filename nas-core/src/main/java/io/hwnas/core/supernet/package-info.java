/** Weight-sharing supernets: one set of weights for every subnet of an MBConv space, subnet extraction, sandwich-rule training and its exactly resumable, checkpointed loop. */
package io.hwnas.core.supernet;
