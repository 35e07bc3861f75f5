package io.hwnas.cost.host;

import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.cost.device.KernelClass;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.djl.Autograd;
import io.hwnas.cost.table.Lut;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Measures this host: fp32 matrix-multiply throughput and per-op dispatch overhead through DJL (the
 * engine the {@code measured} model uses), STREAM-like memory bandwidth over all threads
 * ({@link MemoryBandwidth}) and package power where Linux powercap exposes it ({@link Rapl}); writes a
 * {@code cpu} device profile in which every number says whether it was measured, and a number that
 * could not be measured (power on a host without RAPL) is marked {@code "measured": false} with a
 * {@code null} value and the reason, never given a default. For a search space it also writes a
 * per-layer LUT of the space's distinct layers.
 */
public final class HostProfiler {

    /**
     * What was measured.
     *
     * @param gflops      fp32 matmul throughput at {@code threads} intra-op threads
     * @param bandwidth   memory bandwidth
     * @param overheadUs  DJL dispatch of a 1-element add, median
     * @param threads     threads the compute and bandwidth figures used
     * @param hwThreads   the host's hardware threads
     * @param host        host name
     * @param power       package power under the matmul load and while idle, or null when not measured
     * @param powerNote   how the power was measured, or why it was not
     */
    public record HostNumbers(double gflops, MemoryBandwidth.Result bandwidth, double overheadUs, int threads,
            int hwThreads, String host, Power power, String powerNote) {
    }

    /**
     * Package power.
     *
     * @param loadW while the matmul ran
     * @param idleW while profile-host slept (other processes' load included)
     */
    public record Power(double loadW, double idleW) {
    }

    private HostProfiler() {
    }

    /** Measures on all hardware threads, power from {@link Rapl#POWERCAP} (a few seconds). */
    public static HostNumbers measure() {
        return measure(Runtime.getRuntime().availableProcessors(), Rapl.POWERCAP);
    }

    /**
     * Measures compute and dispatch overhead (DJL, {@code threads} intra-op threads, restored after),
     * bandwidth ({@code threads} Java threads) and power from the powercap tree at {@code powercap}.
     */
    public static HostNumbers measure(int threads, Path powercap) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, but was " + threads);
        }
        Rapl.Opened rapl = Rapl.open(powercap);
        double[] compute = Autograd.isolated(() -> {
            DjlRuntime.setThreads(threads);
            return compute();
        });
        Power power = null;
        String note = "not measured: " + rapl.reason();
        if (rapl.rapl() != null) {
            Rapl.Reading load = rapl.rapl().power(() -> Autograd.isolated(() -> {
                DjlRuntime.setThreads(threads);
                long end = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < end) {
                    compute();
                }
                return null;
            }));
            Rapl.Reading idle = rapl.rapl().power(() -> {
                sleep(1000);
                return null;
            });
            power = new Power(load.watts(), idle.watts());
            note = load.describe(rapl.rapl().counters().size());
        }
        MemoryBandwidth.Result bw = MemoryBandwidth.measure(threads, 7);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return new HostNumbers(compute[0], bw, compute[1], threads, Runtime.getRuntime().availableProcessors(), host,
                power, note);
    }

    /** {GFLOPS of a 1024x1024 fp32 matmul (median of 7), dispatch microseconds of a 1-element add (median of 200)}. */
    private static double[] compute() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 1024;
            NDArray a = m.create(Timer.gaussian(1, n * n, 1), new Shape(n, n));
            NDArray b = m.create(Timer.gaussian(2, n * n, 1), new Shape(n, n));
            double[] t = new double[7];
            for (int i = 0; i < t.length + 2; i++) {
                try (NDManager s = m.newSubManager()) {
                    long start = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.attach(s);
                    c.getFloat(0, 0);
                    if (i >= 2) {
                        t[i - 2] = (System.nanoTime() - start) / 1e9;
                    }
                }
            }
            Arrays.sort(t);
            NDArray tiny = m.ones(new Shape(1));
            double[] o = new double[200];
            for (int i = 0; i < o.length; i++) {
                try (NDManager s = m.newSubManager()) {
                    long start = System.nanoTime();
                    NDArray r = tiny.add(1f);
                    r.attach(s);
                    o[i] = (System.nanoTime() - start) / 1e3;
                }
            }
            Arrays.sort(o);
            return new double[] {2.0 * n * n * n / t[t.length / 2] / 1e9, o[o.length / 2]};
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring idle power", e);
        }
    }

    /**
     * The JSON device profile (kind cpu, name {@code host}). Every number has {@code "measured"}: true
     * when profile-host measured or read it on this host, false when it is hwnas's assumption (the
     * source says which) or, with a {@code null} value, when it could not be measured at all.
     */
    public static ObjectNode profile(HostNumbers h, String lutFile) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        String when = "measured by hwnas profile-host on " + h.host() + " at " + Instant.now();
        root.put("name", "host");
        root.put("kind", "cpu");
        root.put("description", "this host (" + h.hwThreads() + " hardware threads), measured by hwnas profile-host");
        root.put("default_model", lutFile == null ? "cpu" : "lut");
        ObjectNode n = root.putObject("numbers");
        put(n, "peak_gflops", h.gflops(), when + ": DJL fp32 1024x1024 matmul on " + h.threads()
                + " intra-op threads, median of 7", true);
        MemoryBandwidth.Result bw = h.bandwidth();
        put(n, "bandwidth_gbs", bw.triadGbs(), when + ": " + bw.describe("triad (a = b + s*c, 24 bytes per element)"),
                true);
        put(n, "bandwidth_copy_gbs", bw.copyGbs(), when + ": " + bw.describe("copy (c = a, 16 bytes per element)"),
                true);
        put(n, "fixed_ms", 0.05, "not measured: hwnas default for a JVM call into the engine", false);
        if (h.power() != null) {
            put(n, "power_w", h.power().loadW(), when + ": package power under the matmul load, " + h.powerNote(), true);
            put(n, "static_power_w", h.power().idleW(), when + ": package power while profile-host slept 1 s (other "
                    + "processes' load included), RAPL energy_uj", true);
        } else {
            unmeasured(n, "power_w", h.powerNote() + "; energy on this profile is unknown");
            unmeasured(n, "static_power_w", h.powerNote() + "; energy on this profile is unknown");
        }
        put(n, "memory_bytes", Runtime.getRuntime().maxMemory(), when + ": JVM maximum heap", true);
        put(n, "storage_bytes", storageBytes(), when + ": size of the file system of the working directory", true);
        put(n, "weight_factor", 1, "not measured: hwnas default, weights read once per call", false);
        put(n, "eff_memory", 1, "not measured: 1, as bandwidth_gbs above is already what a triad reaches", false);
        for (KernelClass c : KernelClass.values()) {
            double eff = switch (c) {
                case DENSE, LINEAR -> 0.5;
                case POINTWISE -> 0.4;
                default -> 0.05;
            };
            put(n, "eff_" + c.id(), eff, "not measured: hwnas default share of the measured matmul throughput", false);
            put(n, "overhead_us_" + c.id(), h.overheadUs(), when + ": DJL dispatch of a 1-element add, median of 200",
                    true);
        }
        ObjectNode s = root.putObject("settings");
        s.put("runtime", "djl-pytorch");
        s.put("fuse", "false");
        s.put("fold_zero", "false");
        s.put("measured_by", "hwnas profile-host");
        s.put("measured_threads", Integer.toString(h.threads()));
        if (lutFile != null) {
            s.put("lut", lutFile);
        }
        return root;
    }

    private static double storageBytes() {
        try {
            return java.nio.file.Files.getFileStore(Path.of(".").toAbsolutePath()).getTotalSpace();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the size of the working directory's file system", e);
        }
    }

    private static void put(ObjectNode numbers, String field, double value, String source, boolean measured) {
        ObjectNode q = numbers.putObject(field);
        q.put("value", value);
        q.put("measured", measured);
        q.put("source", source);
    }

    private static void unmeasured(ObjectNode numbers, String field, String reason) {
        ObjectNode q = numbers.putObject(field);
        q.putNull("value");
        q.put("measured", false);
        q.put("source", reason);
    }

    /**
     * A LUT of the distinct layers of {@code samples} seeded architectures of a space at a batch size,
     * each timed alone (median of repeats after warm-up).
     */
    public static Lut lut(SearchSpace space, int samples, int batch, RandomGenerator random) {
        Map<String, Layer> distinct = new LinkedHashMap<>();
        for (int i = 0; i < samples; i++) {
            Architecture a = space.sample(random);
            for (Layer l : space.network(a).operators()) {
                if (l.kind() != LayerKind.IDENTITY) {
                    distinct.putIfAbsent(Lut.signature(l, batch), l);
                }
            }
        }
        Map<String, Double> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Layer> e : distinct.entrySet()) {
            entries.put(e.getKey(), Timer.medianMs(alone(e.getValue()), batch, 3, 15));
        }
        return new Lut("hwnas profile-host, " + space.name() + ", " + samples + " sampled architectures, batch " + batch,
                entries);
    }

    /** A network that runs one layer on inputs of its shapes. */
    static Network alone(Layer l) {
        NetworkBuilder b = new NetworkBuilder(l.input(), l.bits());
        int x = b.input();
        switch (l.kind()) {
            case CONV2D -> b.conv(l.name(), x, l.output().channels(), l.kernel(), l.stride(), l.padding(), l.groups(),
                    l.bias());
            case BATCH_NORM -> b.batchNorm(l.name(), x);
            case RELU, RELU6, HSWISH, SIGMOID -> b.activation(l.name(), l.kind(), x);
            case ADD -> {
                List<Integer> ins = new java.util.ArrayList<>();
                for (int i = 0; i < l.inputs().size(); i++) {
                    ins.add(i == 0 ? x : b.identity("copy" + i, x));
                }
                b.add(l.name(), ins);
            }
            case CONCAT -> {
                List<Integer> ins = new java.util.ArrayList<>();
                for (int i = 0; i < l.inputs().size(); i++) {
                    ins.add(x);
                }
                b.concat(l.name(), ins);
            }
            case AVG_POOL -> b.avgPool(l.name(), x, l.kernel(), l.stride(), l.padding());
            case MAX_POOL -> b.maxPool(l.name(), x, l.kernel(), l.stride(), l.padding());
            case GLOBAL_AVG_POOL -> b.globalAvgPool(l.name(), x);
            case LINEAR -> b.linear(l.name(), x, l.output().channels(), l.bias());
            case SQUEEZE_EXCITE -> b.squeezeExcite(l.name(), x, l.hidden());
            case CHANNEL_SHUFFLE -> b.channelShuffle(l.name(), x, l.groups());
            case ZERO -> b.zero(l.name(), x);
            default -> b.identity(l.name(), x);
        }
        return b.build();
    }

    /** Writes a profile JSON. */
    public static void writeProfile(ObjectNode profile, Path file) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), profile);
    }
}
