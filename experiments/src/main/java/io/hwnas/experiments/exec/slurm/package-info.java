/**
 * The Slurm executor: batches as job arrays or through a worker pool of long-lived array tasks, the worker that
 * runs one array task or serves the pool, and the sbatch, scontrol and squeue client.
 */
package io.hwnas.experiments.exec.slurm;
