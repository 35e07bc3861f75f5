/** A config bound to its plugins once (space, estimators, devices, strategy, executor, final training), with every binding problem reported at once. */
package io.hwnas.experiments.setup;
