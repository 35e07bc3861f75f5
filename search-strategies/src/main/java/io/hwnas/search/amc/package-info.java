/** AMC-style compression of one fixed network: an agent picks each layer's pruning ratio and bit widths under a cost budget. */
package io.hwnas.search.amc;
