package io.hwnas.cost.measured;

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
import io.hwnas.cost.KernelClass;
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
 * engine the {@code measured} model uses) and memory bandwidth with large array copies; writes a
 * {@code cpu} device profile and, for a search space, a per-layer LUT of the space's distinct layers.
 */
public final class HostProfiler {

    /** What was measured. */
    public record HostNumbers(double gflops, double bandwidthGbs, double overheadUs, int threads, String host) {
    }

    private HostProfiler() {
    }

    /** Measures compute, bandwidth and dispatch overhead (a few seconds). */
    public static HostNumbers measure() {
        double gflops;
        double overheadUs;
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 1024;
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
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
            gflops = 2.0 * n * n * n / t[t.length / 2] / 1e9;
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
            overheadUs = o[o.length / 2];
        }
        long[] src = new long[1 << 24]; // 128 MiB
        long[] dst = new long[src.length];
        Arrays.fill(src, 7);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, src.length);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        double bandwidth = 2.0 * src.length * 8 / best / 1e9; // read + write
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return new HostNumbers(gflops, bandwidth, overheadUs, Runtime.getRuntime().availableProcessors(), host);
    }

    /** The JSON device profile (kind cpu, name {@code host}) of measured numbers. */
    public static ObjectNode profile(HostNumbers h, String lutFile) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        String when = "measured by hwnas profile-host on " + h.host() + " at " + Instant.now();
        root.put("name", "host");
        root.put("kind", "cpu");
        root.put("description", "this host (" + h.threads() + " hardware threads), measured by hwnas profile-host");
        root.put("default_model", lutFile == null ? "cpu" : "lut");
        ObjectNode n = root.putObject("numbers");
        put(n, "peak_gflops", h.gflops(), when + ": DJL fp32 1024x1024 matmul, median of 7");
        put(n, "bandwidth_gbs", h.bandwidthGbs(), when + ": 128 MiB array copy, read + write, best of 5");
        put(n, "fixed_ms", 0.05, "hwnas default for a JVM call into the engine");
        put(n, "power_w", 65, "hwnas default for a desktop CPU package; replace with a measured value");
        put(n, "memory_bytes", Runtime.getRuntime().maxMemory(), "JVM maximum heap on this host");
        put(n, "storage_bytes", 1e12, "hwnas default");
        put(n, "weight_factor", 1, "hwnas default: weights read once per call");
        put(n, "eff_memory", 1, "the bandwidth above is already what a copy reaches");
        for (KernelClass c : KernelClass.values()) {
            double eff = switch (c) {
                case DENSE, LINEAR -> 0.5;
                case POINTWISE -> 0.4;
                default -> 0.05;
            };
            put(n, "eff_" + c.id(), eff, "hwnas default share of the measured matmul throughput");
            put(n, "overhead_us_" + c.id(), h.overheadUs(), when + ": DJL dispatch of a 1-element add, median of 200");
        }
        ObjectNode s = root.putObject("settings");
        s.put("runtime", "djl-pytorch");
        s.put("fuse", "false");
        s.put("fold_zero", "false");
        s.put("measured_by", "hwnas profile-host");
        if (lutFile != null) {
            s.put("lut", lutFile);
        }
        return root;
    }

    private static void put(ObjectNode numbers, String field, double value, String source) {
        ObjectNode q = numbers.putObject(field);
        q.put("value", value);
        q.put("source", source);
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
