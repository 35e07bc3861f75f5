package io.hwnas.experiments.cli;

import io.hwnas.experiments.setup.DeviceBinding;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.run.Runner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hwnas report DIR}: rebuilds a run's Pareto sets, model cards and report from its journal. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild report.html (and the Pareto sets and model cards) of a run from its journal.")
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "the run directory")
    Path dir;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(dir.resolve("config.yaml"))) {
            throw new UsageException(dir + " is not a run directory: it has no config.yaml");
        }
        RunSetup setup = RunSetup.load(dir.resolve("config.yaml"), DeviceBinding.catalog());
        Path report = Runner.rebuild(setup, dir);
        spec.commandLine().getErr().println("report: " + report);
        return 0;
    }
}
