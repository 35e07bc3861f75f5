package io.hwnas.experiments.cli;

import io.hwnas.experiments.exec.slurm.SlurmWorker;
import io.hwnas.experiments.run.RunSetup;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
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

    private final Supplier<RunSetup.DeviceBinder> binder;

    WorkerCommand() {
        this(WorkerCommand::productionBinder);
    }

    WorkerCommand(Supplier<RunSetup.DeviceBinder> binder) {
        this.binder = binder;
    }

    @Override
    public Integer call() {
        // bound lazily, so that a bad run directory is reported before devices are looked at
        return SlurmWorker.run(run, batch, task, device -> binder.get().bind(device), spec.commandLine().getErr());
    }

    /**
     * The device binder of {@code hwnas search}, so that a worker scores exactly as the driver would.
     * Looked up by name because the search command lives in another branch until merged; once it is
     * here this is {@code SearchCommand.deviceBinder()}.
     */
    static RunSetup.DeviceBinder productionBinder() {
        try {
            Method m = Class.forName("io.hwnas.experiments.cli.SearchCommand").getDeclaredMethod("deviceBinder");
            m.setAccessible(true);
            return (RunSetup.DeviceBinder) m.invoke(null);
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("this hwnas build has no search command to bind devices with ("
                    + e + "); the worker needs SearchCommand.deviceBinder()", e);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
