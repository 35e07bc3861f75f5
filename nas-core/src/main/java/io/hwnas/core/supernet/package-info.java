/** Weight-sharing supernets: one set of weights for every subnet of an MBConv space, subnet extraction and sandwich-rule training. */
package io.hwnas.core.supernet;
