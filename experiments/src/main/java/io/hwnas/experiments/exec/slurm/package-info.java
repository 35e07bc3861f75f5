/** The Slurm executor: batches as job arrays, the worker that runs one array task, and the sbatch, squeue and sacct client. */
package io.hwnas.experiments.exec.slurm;
