package io.hwnas.experiments.cli;

import io.hwnas.experiments.exec.slurm.PoolWorker;
import io.hwnas.experiments.exec.slurm.SlurmWorker;
import io.hwnas.experiments.setup.DeviceBinding;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas worker}: one Slurm array task of a search, started by the job script the slurm
 * executor writes; evaluates the task's share of a batch into the run directory, or, with
 * {@code --pool}, is one long-lived worker of the run's worker pool.
 */
@Command(name = "worker", hidden = true, mixinStandardHelpOptions = true,
        description = "Evaluate one Slurm array task's share of a batch, or serve the run's worker pool "
                + "(started by the slurm executor).")
final class WorkerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, description = "the run directory")
    Path run;

    @Option(names = "--batch", description = "the batch number")
    Integer batch;

    @Option(names = "--task", description = "the array task id")
    Integer task;

    @Option(names = "--pool", description = "serve the run's worker pool until the driver is done")
    boolean pool;

    @Option(names = "--idle-timeout", description = "with --pool: seconds without work before exiting "
            + "(default: ${DEFAULT-VALUE})", defaultValue = "120")
    int idleTimeoutS;

    private final Supplier<DeviceBinding> binder;

    WorkerCommand() {
        this(DeviceBinding::catalog);
    }

    WorkerCommand(Supplier<DeviceBinding> binder) {
        this.binder = binder;
    }

    @Override
    public Integer call() {
        if (pool == (batch != null || task != null) || !pool && (batch == null || task == null)) {
            throw new ParameterException(spec.commandLine(), "give either --pool or both --batch and --task");
        }
        if (idleTimeoutS < 1) {
            throw new ParameterException(spec.commandLine(), "--idle-timeout must be at least 1 second, not "
                    + idleTimeoutS);
        }
        // bound lazily, so that a bad run directory is reported before devices are looked at
        if (pool) {
            return PoolWorker.run(run, workerName(), idleTimeoutS * 1000L, device -> binder.get().bind(device),
                    spec.commandLine().getErr());
        }
        return SlurmWorker.run(run, batch, task, device -> binder.get().bind(device), spec.commandLine().getErr());
    }

    /** {@code <array job>_<array task>} of this Slurm task; the host and pid outside Slurm. */
    static String workerName() {
        String job = System.getenv("SLURM_ARRAY_JOB_ID");
        String task = System.getenv("SLURM_ARRAY_TASK_ID");
        if (job != null && task != null) {
            return job + "_" + task;
        }
        return "local-" + ProcessHandle.current().pid() + "_0";
    }
}
