package io.hwnas.cost.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * STREAM-like memory bandwidth over several threads: each thread owns an equal slice of three
 * {@code double} arrays and runs copy ({@code c = a}, 16 bytes per element) and triad
 * ({@code a = b + s * c}, 24 bytes per element); the arrays are much larger than the last-level
 * cache, and the figure is the median over repeats (after one untimed warm-up pass).
 */
public final class MemoryBandwidth {

    /** Smallest size of one array; also what is used when the last-level cache size cannot be read. */
    public static final long MIN_ARRAY_BYTES = 64L << 20;

    /**
     * The result.
     *
     * @param triadGbs   median triad bandwidth, GB/s (10^9 bytes)
     * @param copyGbs    median copy bandwidth, GB/s
     * @param threads    threads that ran the kernels together
     * @param arrayBytes bytes of each of the three arrays
     * @param repeats    timed repeats the medians are of
     * @param cacheNote  the last-level cache size the arrays were sized against, or why it is unknown
     */
    public record Result(double triadGbs, double copyGbs, int threads, long arrayBytes, int repeats, String cacheNote) {

        /** One line for a profile's source field. */
        public String describe(String kernel) {
            return String.format(Locale.ROOT, "STREAM-like %s over %d threads, 3 arrays of %d MiB each (%s), median of %d",
                    kernel, threads, arrayBytes >> 20, cacheNote, repeats);
        }
    }

    private MemoryBandwidth() {
    }

    /**
     * Measures with arrays of at least 4x the last-level cache (and at least {@link #MIN_ARRAY_BYTES}).
     *
     * @param threads threads (> 0)
     * @param repeats timed repeats (> 0)
     */
    public static Result measure(int threads, int repeats) {
        long llc = lastLevelCacheBytes(Path.of("/sys/devices/system/cpu/cpu0/cache"));
        long heap = Runtime.getRuntime().maxMemory();
        long bytes = arrayBytes(llc, heap);
        String note = llc > 0 ? "last-level cache " + (llc >> 10) + " KiB"
                : "last-level cache size not readable, assumed at most 16 MiB";
        if (bytes < wanted(llc)) {
            note += ", arrays capped at a sixth of the " + (heap >> 20) + " MiB JVM heap (-Xmx): under 4x the cache,"
                    + " so part of each pass may be served from it and the figure read high";
        }
        return measure(threads, repeats, bytes, note);
    }

    /**
     * The size of each array: 4x the last-level cache and at least {@link #MIN_ARRAY_BYTES}, but the three
     * arrays never take more than half of the JVM's heap (some virtual machines report a last-level cache of
     * hundreds of MiB, whose 4x would not fit).
     *
     * @param llc     the last-level cache in bytes, 0 when unknown
     * @param maxHeap the JVM's maximum heap in bytes
     * @return bytes per array, a whole number of MiB
     */
    static long arrayBytes(long llc, long maxHeap) {
        long cap = (maxHeap / 6) >> 20 << 20;
        return Math.max(1L << 20, Math.min(wanted(llc), cap));
    }

    /** 4x the last-level cache, at least {@link #MIN_ARRAY_BYTES}: the size before the heap's cap. */
    private static long wanted(long llc) {
        return Math.max(MIN_ARRAY_BYTES, 4 * llc);
    }

    /** Measures with arrays of {@code arrayBytes} each. */
    public static Result measure(int threads, int repeats, long arrayBytes, String cacheNote) {
        if (threads <= 0 || repeats <= 0 || arrayBytes < 8L * threads) {
            throw new IllegalArgumentException("threads and repeats must be positive and the arrays hold a slice per "
                    + "thread, but were " + threads + ", " + repeats + " and " + arrayBytes + " bytes");
        }
        int n = Math.toIntExact(arrayBytes / 8);
        double[] a = new double[n];
        double[] b = new double[n];
        double[] c = new double[n];
        double[] copy = new double[repeats];
        double[] triad = new double[repeats];
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "hwnas-stream");
            t.setDaemon(true);
            return t;
        });
        try {
            run(pool, threads, n, (lo, hi) -> init(a, b, c, lo, hi)); // first touch by the owning thread
            for (int i = -1; i < repeats; i++) {
                double tc = run(pool, threads, n, (lo, hi) -> System.arraycopy(a, lo, c, lo, hi - lo));
                double tt = run(pool, threads, n, (lo, hi) -> triad(a, b, c, 3.0, lo, hi));
                if (i >= 0) {
                    copy[i] = 16.0 * n / tc / 1e9;
                    triad[i] = 24.0 * n / tt / 1e9;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Median median = new Median();
        return new Result(median.evaluate(triad), median.evaluate(copy), threads, 8L * n, repeats, cacheNote);
    }

    private interface Slice {
        void run(int lo, int hi);
    }

    /** Runs a kernel on every thread's slice at once; returns the wall seconds until all finished. */
    private static double run(ExecutorService pool, int threads, int n, Slice kernel) {
        List<Callable<Void>> work = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int lo = (int) ((long) n * t / threads);
            int hi = (int) ((long) n * (t + 1) / threads);
            work.add(() -> {
                kernel.run(lo, hi);
                return null;
            });
        }
        long start = System.nanoTime();
        try {
            for (Future<Void> f : pool.invokeAll(work)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring memory bandwidth", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("memory bandwidth kernel failed", e.getCause());
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void init(double[] a, double[] b, double[] c, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            a[i] = 1.0;
            b[i] = 2.0;
            c[i] = 0.5;
        }
    }

    private static void triad(double[] a, double[] b, double[] c, double s, int lo, int hi) {
        for (int i = lo; i < hi; i++) {
            a[i] = b[i] + s * c[i];
        }
    }

    /**
     * The largest cache size listed under a sysfs cache directory (index* /size, e.g. "32768K"), or 0
     * when none can be read.
     */
    static long lastLevelCacheBytes(Path cacheDir) {
        long best = 0;
        try (var dirs = Files.list(cacheDir)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                Path size = d.resolve("size");
                if (d.getFileName().toString().startsWith("index") && Files.isReadable(size)) {
                    best = Math.max(best, parseSize(Files.readString(size).trim()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return best;
        }
        return best;
    }

    static long parseSize(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = unit == 'K' ? 1L << 10 : unit == 'M' ? 1L << 20 : unit == 'G' ? 1L << 30 : 1;
        String digits = Character.isDigit(unit) ? s : s.substring(0, s.length() - 1);
        try {
            return Long.parseLong(digits.trim()) * scale;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
