/** The neuromorphic cost model: an ANN-to-SNN conversion costed in synaptic ops, neuron updates and spikes against the chip's core limits, with firing rates per layer. */
package io.hwnas.cost.neuromorphic;
