package io.hwnas.experiments.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hwnas device}: work on a device through its agent. */
@Command(name = "device", mixinStandardHelpOptions = true, subcommands = {DeviceProbeCommand.class},
        description = "Work on a device through its measurement agent (hwnas agent).")
final class DeviceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new UsageException("a subcommand is required: probe");
    }
}
