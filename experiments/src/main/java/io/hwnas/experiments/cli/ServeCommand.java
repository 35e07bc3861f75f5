package io.hwnas.experiments.cli;

import io.hwnas.experiments.serve.LiveServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hwnas serve RUN_DIR... [--port P] [--bind ADDR]}: a read-only live view of runs over HTTP. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a read-only live view of runs (running or finished) that follows their journals.")
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = "the run directories")
    List<Path> dirs;

    @Option(names = "--port", description = "the TCP port (default: ${DEFAULT-VALUE}; 0: any free one)",
            defaultValue = "8765")
    int port;

    @Option(names = "--bind", description = "the address to listen on (default: ${DEFAULT-VALUE}, this host only)",
            defaultValue = "127.0.0.1")
    String bind;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new UsageException("--port " + port + " is not allowed; expected 0 to 65535");
        }
        try (LiveServer server = LiveServer.start(dirs, bind, port)) {
            String host = bind.contains(":") ? "[" + bind + "]" : bind;
            spec.commandLine().getErr().println("serving " + dirs.size() + " run" + (dirs.size() == 1 ? "" : "s")
                    + " read-only at http://" + host + ":" + server.port() + "/ (Ctrl-C stops)");
            new CountDownLatch(1).await();
        }
        return 0;
    }
}
