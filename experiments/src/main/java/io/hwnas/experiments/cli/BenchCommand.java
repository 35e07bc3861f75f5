package io.hwnas.experiments.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hwnas bench}: benchmark commands that print performance figures (not tests). */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchTrainCommand.class,
        description = "Benchmarks that print performance figures.")
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new UsageException("a bench subcommand is required; see the list above");
    }
}
