/** The MnasNet / Once-for-All style MBConv search space on the MobileNetV2 skeleton and its architecture strings. */
package io.hwnas.core.space.mobilenet;
