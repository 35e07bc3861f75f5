/** Devices measured through an agent: micro-benchmark probing into a profile, and validation on measured networks. */
package io.hwnas.experiments.agent.device;
