package io.hwnas.experiments.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code hwnas search} run in a process of its own, as a user starts it, timed from the process's start to
 * its exit, with its peak resident set size: the kernel's {@code VmHWM} (the largest RSS the process has had) read
 * from {@code /proc/PID/status} every {@value #POLL_MS} ms while it runs, the last value read before it exits (so
 * growth in its last few milliseconds can be missed). Linux only for the RSS; elsewhere it is NaN. A run on Slurm
 * measures its driver process; the workers are jobs of their own.
 *
 * @param wallSeconds the process's wall time, JVM start included
 * @param peakRssMb   its peak RSS in MiB, or NaN where {@code /proc} does not give it
 * @param dir         the run directory it wrote
 */
public record TimedSearch(double wallSeconds, double peakRssMb, Path dir) {

    /** Interval between two reads of the child's VmHWM. */
    public static final int POLL_MS = 20;

    /**
     * Runs {@code command} (a whole {@code hwnas search ...} command line, which must write its run to {@code dir}),
     * its output kept in {@code dir + ".log"}.
     *
     * @throws IllegalStateException when it exits with a non-zero code or runs past {@code limitSeconds}, with the
     *                               end of its output
     */
    public static TimedSearch run(List<String> command, Path dir, long limitSeconds) {
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Path status = Path.of("/proc", Long.toString(p.pid()), "status");
            double peak = Double.NaN;
            while (!p.waitFor(POLL_MS, TimeUnit.MILLISECONDS)) {
                double now = vmHwmMb(status); // NaN once the process is gone
                if (!Double.isNaN(now)) {
                    peak = Double.isNaN(peak) ? now : Math.max(peak, now);
                }
                if (System.nanoTime() - t0 > limitSeconds * 1_000_000_000L) {
                    p.destroyForcibly().waitFor();
                    throw new IllegalStateException("the search ran past " + limitSeconds + " s and was stopped: "
                            + String.join(" ", command) + "\n" + tail(log));
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            if (p.exitValue() != 0) {
                throw new IllegalStateException("the search exited with code " + p.exitValue() + ": "
                        + String.join(" ", command) + "\n" + tail(log));
            }
            return new TimedSearch(wall, peak, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a search ran", e);
        }
    }

    /** The VmHWM line of a status file in MiB; NaN when it is gone or has none (the process has exited). */
    static double vmHwmMb(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) / 1024.0; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN; // the process is gone (no such file) or the line is not what Linux writes
        }
        return Double.NaN;
    }

    /** The Pareto files ({@code pareto/*.csv}) of the run, by name. */
    public Map<String, byte[]> paretoFiles() {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir.resolve("pareto"))) {
            for (Path f : s.filter(f -> f.toString().endsWith(".csv")).toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        } catch (NoSuchFileException e) {
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** Whether two runs wrote the same Pareto files, byte for byte (and at least one). */
    public boolean sameParetoSets(TimedSearch other) {
        Map<String, byte[]> a = paretoFiles();
        Map<String, byte[]> b = other.paretoFiles();
        if (a.isEmpty() || !a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.get(e.getKey())));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
