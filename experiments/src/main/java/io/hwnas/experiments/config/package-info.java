/** Experiment configs: strict reading of YAML or JSON into {@link io.hwnas.experiments.config.ExperimentConfig}, every problem reported at once, and writing the resolved config back. */
package io.hwnas.experiments.config;
