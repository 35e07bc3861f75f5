package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.host.HostProfiler;
import io.hwnas.cost.table.Lut;
import io.hwnas.cost.host.Rapl;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas profile-host}: measure this machine and write a device profile (and a per-layer LUT). */
@Command(name = "profile-host", mixinStandardHelpOptions = true,
        description = "Measure this host's compute throughput, memory bandwidth, dispatch overhead and (where Linux "
                + "powercap/RAPL exposes it) power; write a device profile that marks what it could not measure, and "
                + "optionally a per-layer latency LUT.")
final class ProfileHostCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "host.json", description = "profile file to write (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--lut", description = "also measure the distinct layers of --space and write this LUT (CSV)")
    Path lut;

    @Option(names = "--space", defaultValue = "nb201", description = "space whose layers the LUT covers")
    String space;

    @Option(names = "--samples", defaultValue = "20", description = "sampled architectures whose layers the LUT covers")
    int samples;

    @Option(names = "--batch", defaultValue = "1", description = "batch size of the LUT")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the sampled architectures")
    long seed;

    @Option(names = "--threads", description = "threads of the compute and memory-bandwidth measurements "
            + "(default: all hardware threads)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        if (samples <= 0 || batch <= 0) {
            throw new UsageException("--samples and --batch must be positive, but were " + samples + " and " + batch);
        }
        if (threads != null && threads <= 0) {
            throw new UsageException("--threads must be positive, but was " + threads);
        }
        PrintWriter w = spec.commandLine().getOut();
        HostProfiler.HostNumbers h = HostProfiler.measure(threads != null ? threads
                : Runtime.getRuntime().availableProcessors(), Rapl.POWERCAP);
        var bw = h.bandwidth();
        w.printf("host %s, %d hardware threads, measured on %d threads%n", h.host(), h.hwThreads(), h.threads());
        w.printf("compute    %.1f GFLOPS (DJL fp32 1024x1024 matmul, %d threads)%n", h.gflops(), h.threads());
        w.printf("bandwidth  %.1f GB/s triad, %.1f GB/s copy (STREAM-like, %d threads, 3 x %d MiB, %s; median of %d)%n",
                bw.triadGbs(), bw.copyGbs(), bw.threads(), bw.arrayBytes() >> 20, bw.cacheNote(), bw.repeats());
        w.printf("dispatch   %.1f us per op (DJL 1-element add)%n", h.overheadUs());
        if (h.power() != null) {
            w.printf("power      %.1f W under load, %.1f W idle (%s)%n", h.power().loadW(), h.power().idleW(),
                    h.powerNote());
        } else {
            w.printf("power      %s; the profile marks power_w and static_power_w as not measured%n", h.powerNote());
        }
        String lutPath = null;
        if (lut != null) {
            SearchSpace s = SearchSpaces.get(space);
            Lut table = HostProfiler.lut(s, samples, batch, new SplittableRandom(seed));
            table.write(lut);
            lutPath = lut.toAbsolutePath().toString();
            w.printf("LUT        %d layers of %s -> %s%n", table.entries().size(), s.name(), lut);
        }
        ObjectNode profile = HostProfiler.profile(h, lutPath);
        HostProfiler.writeProfile(profile, out);
        DeviceCatalog.get(out.toString()); // the written profile must load
        w.printf("profile    %s%n", out);
        w.flush();
        return 0;
    }
}
