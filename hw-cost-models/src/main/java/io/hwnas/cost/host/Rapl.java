package io.hwnas.cost.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Package power from Linux powercap (RAPL): the {@code energy_uj} counters of the top-level zones
 * ({@code intel-rapl:N}, which AMD CPUs expose too) read before and after a stretch of work. Where
 * the host has no readable counter (a VM, or a kernel that lets only root read it), {@link #open}
 * says why, and the power is not measured.
 */
public final class Rapl {

    /** Where Linux exposes powercap. */
    public static final Path POWERCAP = Path.of("/sys/class/powercap");

    private final List<Path> counters;
    private final List<Long> ranges;

    private Rapl(List<Path> counters, List<Long> ranges) {
        this.counters = counters;
        this.ranges = ranges;
    }

    /** The counters under {@code root}, or the reason none can be read. */
    public static Opened open(Path root) {
        if (!Files.isDirectory(root)) {
            return new Opened(null, root + " does not exist (no powercap on this host, e.g. a virtual machine)");
        }
        List<Path> counters = new ArrayList<>();
        List<Long> ranges = new ArrayList<>();
        String why = "no RAPL package zone (intel-rapl:N) under " + root;
        try (var zones = Files.list(root)) {
            for (Path z : zones.sorted().toList()) {
                String name = z.getFileName().toString();
                if (!name.matches("intel-rapl:\\d+")) {
                    continue; // sub-zones (intel-rapl:0:0) are parts of their package
                }
                Path energy = z.resolve("energy_uj");
                try {
                    Long.parseLong(Files.readString(energy).trim());
                    Path range = z.resolve("max_energy_range_uj");
                    ranges.add(Files.isReadable(range) ? Long.parseLong(Files.readString(range).trim()) : 0L);
                    counters.add(energy);
                } catch (IOException | NumberFormatException e) {
                    why = energy + " is not readable (" + e.getClass().getSimpleName() + "; the kernel may let only "
                            + "root read it)";
                }
            }
        } catch (IOException e) {
            return new Opened(null, root + " cannot be listed: " + e.getMessage());
        }
        return counters.isEmpty() ? new Opened(null, why) : new Opened(new Rapl(counters, ranges), null);
    }

    /**
     * The counters, or why there are none.
     *
     * @param rapl   the counters, or null
     * @param reason why there are none, or null
     */
    public record Opened(Rapl rapl, String reason) {
    }

    /** The counters' zones, e.g. [/sys/class/powercap/intel-rapl:0/energy_uj]. */
    public List<Path> counters() {
        return List.copyOf(counters);
    }

    /**
     * Mean power of all packages over {@code work}, watts.
     *
     * @return the power and the seconds it was averaged over
     */
    public Reading power(Supplier<?> work) {
        long[] before = read();
        long start = System.nanoTime();
        work.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = read();
        double joules = 0;
        for (int i = 0; i < before.length; i++) {
            joules += delta(before[i], after[i], ranges.get(i)) / 1e6;
        }
        return new Reading(joules / seconds, seconds);
    }

    /**
     * A power reading.
     *
     * @param watts   mean power
     * @param seconds the time it was averaged over
     */
    public record Reading(double watts, double seconds) {
        /** e.g. "RAPL energy_uj of 1 package(s) over 2.03 s". */
        public String describe(int packages) {
            return String.format(Locale.ROOT, "RAPL energy_uj of %d package(s) over %.2f s", packages, seconds);
        }
    }

    /** Microjoules between two counter values; the counter wraps at {@code range} (0: unknown, no wrap). */
    static long delta(long before, long after, long range) {
        if (after >= before) {
            return after - before;
        }
        if (range <= 0) {
            throw new IllegalStateException("a RAPL counter went back (" + before + " -> " + after
                    + " uJ) and its max_energy_range_uj is unknown");
        }
        return range - before + after;
    }

    private long[] read() {
        long[] v = new long[counters.size()];
        for (int i = 0; i < v.length; i++) {
            try {
                v[i] = Long.parseLong(Files.readString(counters.get(i)).trim());
            } catch (IOException e) {
                throw new IllegalStateException(counters.get(i) + " became unreadable: " + e.getMessage(), e);
            }
        }
        return v;
    }
}
