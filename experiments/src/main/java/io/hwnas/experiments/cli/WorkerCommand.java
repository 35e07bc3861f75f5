package io.hwnas.experiments.cli;

import io.hwnas.experiments.exec.slurm.SlurmWorker;
import io.hwnas.experiments.setup.DeviceBinding;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas worker}: one Slurm array task of a search, started by the job script the slurm
 * executor writes; evaluates the task's share of a batch into the run directory.
 */
@Command(name = "worker", hidden = true, mixinStandardHelpOptions = true,
        description = "Evaluate one Slurm array task's share of a batch (started by the slurm executor).")
final class WorkerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--run", required = true, description = "the run directory")
    Path run;

    @Option(names = "--batch", required = true, description = "the batch number")
    int batch;

    @Option(names = "--task", required = true, description = "the array task id")
    int task;

    private final Supplier<DeviceBinding> binder;

    WorkerCommand() {
        this(DeviceBinding::catalog);
    }

    WorkerCommand(Supplier<DeviceBinding> binder) {
        this.binder = binder;
    }

    @Override
    public Integer call() {
        // bound lazily, so that a bad run directory is reported before devices are looked at
        return SlurmWorker.run(run, batch, task, device -> binder.get().bind(device), spec.commandLine().getErr());
    }
}
