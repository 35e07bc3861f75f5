package io.hwnas.experiments.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hwnas} command line: each subcommand is one class in this package. */
@Command(name = "hwnas", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Hardware-aware neural architecture search: Pareto sets of deployable models per device.",
        subcommands = {SpacesCommand.class, InspectCommand.class, ProxyCommand.class, TrainCommand.class,
                CostCommand.class, DevicesCommand.class, ProfileHostCommand.class, SearchCommand.class,
                ReportCommand.class, ServeCommand.class, ExportCommand.class, BenchCommand.class, WorkerCommand.class,
                SupernetCommand.class, AgentCommand.class, DeviceCommand.class})
public final class HwnasCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Read by {@link ErrorHandler} from the parse result; given before or after the subcommand. */
    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of an error (errors are one line without it)")
    boolean debug;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        // DJL reports usage over the network unless opted out; hwnas runs offline and sends nothing
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code: 0 ok, 1 runtime failure, 2 bad usage or input. */
    public static int execute(String... args) {
        if (args.length > 0 && args[0].equals("worker")) { // a Slurm task: skip building every other command
            return worker().execute(java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        return commandLine().execute(args);
    }

    /** The configured picocli command line (also used by tests to capture output). */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new HwnasCli()));
    }

    /** The worker command alone, named as under the full command line (messages say {@code hwnas worker}). */
    static CommandLine worker() {
        return configure(new CommandLine(new WorkerCommand()).setCommandName("hwnas worker"));
    }

    private static CommandLine configure(CommandLine cl) {
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new UsageException("a command is required; see the list above");
    }
}
