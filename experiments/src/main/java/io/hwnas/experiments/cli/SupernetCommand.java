package io.hwnas.experiments.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hwnas supernet}: train a weight-sharing supernet once, then score its subnets in seconds. */
@Command(name = "supernet", mixinStandardHelpOptions = true,
        description = "Train a weight-sharing MBConv supernet and evaluate its subnets.",
        subcommands = {SupernetTrainCommand.class, SupernetEvalCommand.class, SupernetPredictorCommand.class})
final class SupernetCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new UsageException("a supernet subcommand is required; see the list above");
    }
}
