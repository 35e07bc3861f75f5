package io.hwnas.experiments.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hwnas supernet}: work on a weight-sharing supernet checkpoint. */
@Command(name = "supernet", mixinStandardHelpOptions = true,
        description = "Work on a weight-sharing supernet checkpoint.",
        subcommands = {SupernetPredictorCommand.class})
final class SupernetCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new UsageException("a supernet subcommand is required; see the list above");
    }
}
