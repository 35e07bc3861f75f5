package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.CostTable;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas bench cost}: single-thread cost estimates per second over seeded sampled architectures,
 * the old path ({@code CostModel.estimate} on pre-built networks, a report per estimate) and the new
 * one ({@link CostTable}: compiled rows, primitive arithmetic) timed in alternating pairs.
 */
@Command(name = "cost", mixinStandardHelpOptions = true,
        description = "Benchmark cost-model estimates per second on one thread.")
final class BenchCostCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpaceOptions space;

    @Option(names = "--device", split = ",", description = "devices (default: raspi4,titan-rtx,eyeriss,loihi2, one per "
            + "analytical model)")
    List<String> devices = List.of("raspi4", "titan-rtx", "eyeriss", "loihi2");

    @Option(names = "--model", description = "cost model (default: each device's)")
    String model;

    @Option(names = "--archs", defaultValue = "1000", description = "sampled architectures (default: ${DEFAULT-VALUE})")
    int archs;

    @Option(names = "--seconds", defaultValue = "3", description = "timed seconds per device, after a warm-up of half "
            + "as long (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--batch", defaultValue = "1", description = "batch size")
    int batch;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed")
    long seed;

    @Option(names = "--pairs", defaultValue = "3", description = "alternating old/new timing pairs per device; the "
            + "medians are printed (default: ${DEFAULT-VALUE})")
    int pairs;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (archs <= 0 || seconds <= 0 || batch <= 0 || pairs <= 0) {
            throw new UsageException("--archs, --seconds, --batch and --pairs must be positive");
        }
        SearchSpace s = space.resolve();
        SplittableRandom rng = new SplittableRandom(seed);
        List<Architecture> as = new ArrayList<>(archs);
        List<Network> nets = new ArrayList<>(archs);
        for (int i = 0; i < archs; i++) {
            Architecture a = s.sample(rng);
            as.add(a);
            nets.add(s.network(a));
        }
        ObjectNode root = Json.object();
        root.put("space", s.name());
        root.put("threads", 1);
        root.put("archs", archs);
        ArrayNode results = root.putArray("results");
        double slowest = Double.POSITIVE_INFINITY;
        PrintWriter out = spec.commandLine().getOut();
        for (String name : devices) {
            DeviceProfile d = DeviceCatalog.get(name);
            CostModel m = model == null ? CostModels.forDevice(d) : CostModels.get(model);
            CostTable table = CostTable.of(m, d, batch, s).orElse(null);
            double firstRate = table == null ? Double.NaN : firstEstimates(m, d, s, as);
            double[] oldRates = new double[pairs];
            double[] newRates = new double[pairs];
            Timing t = null;
            for (int p = 0; p < pairs; p++) { // alternating pairs: the machine's load hits both paths alike
                t = time(() -> estimateOld(m, d, as, nets));
                oldRates[p] = t.count() / t.seconds();
                newRates[p] = table == null ? Double.NaN : rate(time(() -> estimateNew(table, as)));
            }
            double oldRate = new Median().evaluate(oldRates);
            double newRate = table == null ? Double.NaN : new Median().evaluate(newRates);
            slowest = Math.min(slowest, table == null ? oldRate : newRate);
            ObjectNode o = results.addObject();
            o.put("device", d.name());
            o.put("model", m.name());
            o.put("estimates", t.count());
            o.put("seconds", t.seconds());
            o.put("estimates_per_s_old", oldRate);
            o.put("estimates_per_s", table == null ? oldRate : newRate);
            o.put("fast_path", table != null);
            o.put("first_estimates_per_s", firstRate);
            o.put("checksum", t.checksum());
            if (!json) {
                out.printf("%-14s %-13s old %,11.0f /s   new %,11.0f /s   %s   first %,7.0f /s (medians of %d "
                        + "alternating pairs, one thread)%n", d.name(), m.name(), oldRate, newRate,
                        table == null ? "no fast path" : String.format("%.1fx", newRate / oldRate), firstRate, pairs);
            }
        }
        root.put("estimates_per_s", slowest);
        if (json) {
            Json.print(out, root);
        }
        out.flush();
        return 0;
    }

    /** Estimates counted, seconds taken and the sum of the latencies (so that no estimate is optimised away). */
    private record Timing(long count, double seconds, double checksum) {
    }

    /** First estimates per second: a fresh table compiles a row (builds the network) for every architecture. */
    private double firstEstimates(CostModel m, DeviceProfile d, SearchSpace s, List<Architecture> as) {
        CostTable fresh = CostTable.of(m, d, batch, s).orElseThrow();
        long t0 = System.nanoTime();
        for (Architecture a : as) {
            fresh.estimate(a, buffer, 0);
        }
        return fresh.compiledRows() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double rate(Timing t) {
        return t.count() / t.seconds();
    }

    /** The old path: a {@link io.hwnas.cost.CostReport} per estimate from the pre-built network. */
    private double estimateOld(CostModel m, DeviceProfile d, List<Architecture> as, List<Network> nets) {
        double sink = 0;
        for (int i = 0; i < archs; i++) {
            sink += m.estimate(as.get(i), nets.get(i), d, batch).latencyMs();
        }
        return sink;
    }

    /** The new path: {@link CostTable} rows and primitive arithmetic into one reused buffer. */
    private double estimateNew(CostTable table, List<Architecture> as) {
        double sink = 0;
        for (int i = 0; i < archs; i++) {
            table.estimate(as.get(i), buffer, 0);
            sink += buffer[CostTable.LATENCY];
        }
        return sink;
    }

    private final double[] buffer = new double[CostTable.WIDTH];

    /**
     * Runs a pass over every architecture for a warm-up of half of {@code --seconds} (at least 1 s;
     * plans and rows are compiled and the JIT compiles the hot path), then for {@code --seconds}.
     */
    private Timing time(DoubleSupplier pass) {
        double sink = 0;
        long warm = System.nanoTime() + (long) (Math.max(1, seconds / 2) * 1e9);
        do {
            sink += pass.getAsDouble();
        } while (System.nanoTime() < warm);
        long count = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long now;
        do {
            sink += pass.getAsDouble();
            count += archs;
            now = System.nanoTime();
        } while (now < deadline);
        return new Timing(count, (now - start) / 1e9, sink);
    }
}
