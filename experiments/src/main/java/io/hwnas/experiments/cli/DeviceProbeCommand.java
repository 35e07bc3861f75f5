package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.experiments.agent.AgentClient;
import io.hwnas.experiments.agent.device.DeviceProbe;
import io.hwnas.experiments.agent.device.ProbeKernels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas device probe}: micro-benchmarks on an agent into a device profile and a per-kernel table. */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Time convolution, depthwise, pointwise, GEMM, pooling and element-wise micro-benchmarks on an "
                + "agent; write a cpu device profile fitted to them (numbers marked measured) and a per-kernel CSV.")
final class DeviceProbeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AgentOptions agent;

    @Option(names = "--out", required = true, description = "the profile file to write")
    Path out;

    @Option(names = "--kernels", description = "the per-kernel CSV to write (default: OUT with .kernels.csv)")
    Path kernels;

    @Option(names = "--name", defaultValue = "agent-device", description = "the device's name (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--runs", defaultValue = "20", description = "timed runs per kernel (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup", defaultValue = "3", description = "warm-up runs per kernel (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--latency", defaultValue = "median", description = "the statistic fitted: median (wall clock), "
            + "p10 (wall clock) or cpu (the agent thread's CPU time, agents with --threads 1; for shared hosts)")
    String latency;

    @Option(names = "--quick", description = "a few small kernels only (a smoke test, not a usable profile)")
    boolean quick;

    @Override
    public Integer call() throws IOException {
        if (runs <= 0 || warmup < 0) {
            throw new UsageException("--runs must be positive and --warmup >= 0, but were " + runs + " and " + warmup);
        }
        if (!io.hwnas.experiments.agent.Measurement.STATISTICS.contains(latency)) {
            throw new UsageException("--latency '" + latency + "' is not one of "
                    + io.hwnas.experiments.agent.Measurement.STATISTICS);
        }
        AgentClient client = agent.client();
        PrintWriter w = spec.commandLine().getOut();
        JsonNode info = client.info();
        Path table = kernels != null ? kernels : out.resolveSibling(out.getFileName().toString()
                .replaceFirst("\\.json$", "") + ".kernels.csv");
        List<DeviceProbe.Row> rows = DeviceProbe.measure(client, ProbeKernels.grid(quick), warmup, runs, latency,
                l -> {
            w.println(l);
            w.flush();
        });
        DeviceProbe.Result r = DeviceProbe.fit(rows, info, name, client.url(), table.toAbsolutePath().toString(),
                latency);
        DeviceProbe.writeKernels(rows, table);
        DeviceProbe.writeProfile(r.json(), out);
        DeviceCatalog.get(out.toString()); // the written profile must load
        w.printf(Locale.ROOT, "peak %.2f GFLOPS, bandwidth %.2f GB/s, fit median |log residual| %.3f over %d kernels%n",
                r.peakGflops(), r.bandwidthGbs(), r.fit().fit().get("median_abs_log_residual"), rows.size());
        w.printf("profile %s, kernels %s%n", out, table);
        w.flush();
        return 0;
    }
}
