package io.hwnas.experiments.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hwnas bench}: benchmark commands that print numbers (performance targets live here, not in tests). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print numbers.",
        subcommands = {BenchTrainCommand.class, BenchCostCommand.class, BenchStrategiesCommand.class,
            BenchNetadaptCommand.class, BenchSupernetCommand.class, BenchSupernetFidelityCommand.class,
            BenchFidelityCommand.class, BenchSearchCommand.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new UsageException("a bench subcommand is required; see the list above");
    }
}
