/** Cost models of a network on a device: the CostModel plugin interface, cost reports and metrics, and the kernel plans, roofline and energy shared by the analytical models. */
package io.hwnas.cost;
