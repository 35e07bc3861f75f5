package io.hwnas.experiments.cli;

import io.hwnas.cost.host.Rapl;
import io.hwnas.experiments.agent.AgentLimits;
import io.hwnas.experiments.agent.AgentServer;
import io.hwnas.experiments.agent.EnergyMeter;
import io.hwnas.experiments.agent.OrtMeasurer;
import io.hwnas.experiments.agent.Token;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas agent}: the measurement service that times ONNX models on this device. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Serve POST /v1/measure: time an ONNX model body in ONNX Runtime on this device (median, p10, "
                + "p90 latency; energy from RAPL or INA3221 where readable). Every request needs the token.")
final class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "7070", description = "port (default: ${DEFAULT-VALUE}; 0: any free)")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "address to listen on (default: ${DEFAULT-VALUE}, loopback only)")
    String bind;

    @Option(names = "--token-file", required = true, description = "file holding the secret clients must send")
    Path tokenFile;

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: all hardware threads)")
    Integer threads;

    @Option(names = "--max-body-mib", defaultValue = "256", description = "largest model (default: ${DEFAULT-VALUE})")
    int maxBodyMib;

    @Option(names = "--max-waiting", defaultValue = "4",
            description = "requests that may wait while one is measured; more get 503 (default: ${DEFAULT-VALUE})")
    int maxWaiting;

    @Option(names = "--measure-seconds", defaultValue = "60",
            description = "time for one measurement's runs (default: ${DEFAULT-VALUE})")
    int measureSeconds;

    @Option(names = "--read-timeout-seconds", defaultValue = "30",
            description = "time to receive a body; slower clients get 408 (default: ${DEFAULT-VALUE})")
    int readTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        List<String> bad = new ArrayList<>();
        requirePositive(bad, "--threads", t);
        requirePositive(bad, "--max-body-mib", maxBodyMib);
        requirePositive(bad, "--measure-seconds", measureSeconds);
        requirePositive(bad, "--read-timeout-seconds", readTimeoutSeconds);
        if (maxWaiting < 0) {
            bad.add("--max-waiting " + maxWaiting + " is not allowed; expected 0 or more");
        }
        if (port < 0 || port > 65535) {
            bad.add("--port " + port + " is not allowed; expected 0 to 65535");
        }
        if (!bad.isEmpty()) {
            throw new UsageException(String.join("; ", bad));
        }
        Token token;
        try {
            token = Token.read(tokenFile);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--token-file: " + e.getMessage());
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new UsageException("--bind '" + bind + "' is not an address of this host: " + e.getMessage());
        }
        AgentLimits limits = new AgentLimits((long) maxBodyMib << 20, maxWaiting, Duration.ofSeconds(measureSeconds),
                Duration.ofSeconds(readTimeoutSeconds), 1000);
        EnergyMeter.Opened energy = EnergyMeter.open(Rapl.POWERCAP, EnergyMeter.HWMON);
        PrintWriter err = spec.commandLine().getErr();
        AgentServer server;
        try {
            server = AgentServer.start(new InetSocketAddress(address, port), token, new OrtMeasurer(t, energy), limits,
                    line -> {
                        synchronized (err) {
                            err.println(Instant.now() + " " + line);
                            err.flush();
                        }
                    });
        } catch (BindException e) {
            throw new UsageException("cannot listen on " + bind + ":" + port + " (" + e.getMessage()
                    + "): the port is taken or not allowed; choose another with --port");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("agent listening on http://%s:%d (%d ONNX Runtime threads; %s; energy: %s)%n",
                server.address().getAddress().getHostAddress(), server.address().getPort(), t, limits.describe(),
                energy.meter() != null ? energy.meter().describe() : energy.reason());
        out.flush();
        new CountDownLatch(1).await(); // serves until the process is stopped
        return 0;
    }

    private static void requirePositive(List<String> bad, String option, long value) {
        if (value <= 0) {
            bad.add(option + " " + value + " is not allowed; expected a positive number");
        }
    }
}
