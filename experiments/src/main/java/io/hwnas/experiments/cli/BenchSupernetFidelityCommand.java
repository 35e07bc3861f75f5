package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.io.Json;
import io.hwnas.core.ir.Network;
import io.hwnas.core.supernet.SupernetEvaluator;
import io.hwnas.core.supernet.SupernetRun;
import io.hwnas.core.supernet.SupernetSpec;
import io.hwnas.core.train.TrainOptions;
import io.hwnas.core.train.TrainResult;
import io.hwnas.core.train.Training;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas bench supernet-fidelity}: does the supernet rank subnets as training them would? Seeded subnets
 * spanning a device's predicted latency range are scored twice, with inherited weights and after standalone
 * training from scratch on the same training images, both on the same held-out images; it prints Kendall's tau
 * and Spearman's rho between the two and writes every subnet's pair of accuracies to a CSV. A standalone
 * training that ends no better than guessing (within three standard errors of chance: it collapsed) is marked in the
 * CSV and left out of the correlations. With {@code --reference CSV} the standalone accuracies come from an earlier
 * run's CSV on the same subnets instead of new trainings, so that another checkpoint of the same supernet range is
 * scored against the same reference in minutes.
 */
@Command(name = "supernet-fidelity", mixinStandardHelpOptions = true,
        description = "Rank fidelity: supernet-inherited top-1 against standalone training from scratch.")
final class BenchSupernetFidelityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "the supernet checkpoint")
    Path checkpoint;

    @Option(names = "--subnets", description = "subnets compared (default ${DEFAULT-VALUE})")
    int subnets = 20;

    @Option(names = "--pool", description = "seeded subnets the compared ones are picked from, evenly over "
            + "their sorted latencies (default ${DEFAULT-VALUE})")
    int pool = 500;

    /** How the compared subnets are picked from the pool. */
    enum Spacing {
        /** Nearest to latencies evenly spaced from the fastest to the slowest subnet (the space's smallest and
         *  largest join the pool), so the extremes are represented as well as the crowded middle. */
        latency,
        /** Evenly spaced over the pool's latency ranks (its quantiles: mostly the crowded middle). */
        rank
    }

    @Option(names = "--spacing", description = "latency: subnets nearest to latencies evenly spaced from the "
            + "space's smallest to its largest subnet; rank: evenly spaced over the pool's sorted latencies "
            + "(default ${DEFAULT-VALUE})")
    Spacing spacing = Spacing.latency;

    @Option(names = "--seed", description = "seed of the pool and of the trainings (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--device", description = "the device whose predicted latency orders the pool "
            + "(default ${DEFAULT-VALUE})")
    String device = "raspi4";

    @Option(names = "--steps", description = "standalone training steps (default ${DEFAULT-VALUE})")
    int steps = 600;

    @Option(names = "--batch", description = "standalone batch (default ${DEFAULT-VALUE})")
    int batch = 64;

    @Option(names = "--lr", description = "standalone peak learning rate (default ${DEFAULT-VALUE})")
    double lr = 0.05;

    @Option(names = "--warmup", description = "standalone warm-up steps (default ${DEFAULT-VALUE})")
    int warmup = 50;

    @Mixin
    SubnetEvaluationOptions evaluation;

    @Option(names = "--threads", description = "PyTorch threads (default ${DEFAULT-VALUE})")
    int threads = 2;

    @Option(names = "--csv", paramLabel = "FILE", description = "the CSV written row by row (default: "
            + "rank-fidelity-DEVICE-seedS.csv in the checkpoint)")
    Path csv;

    @Option(names = "--reference", paramLabel = "CSV", description = "take the standalone accuracies from this "
            + "CSV of an earlier run on the same subnets (same supernet range, --pool, --seed, --device, --spacing) "
            + "instead of training them")
    Path reference;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    /** One compared subnet; {@code collapsed}: its standalone training ended no better than chance. */
    record Row(Architecture arch, double latencyMs, long macs, double supernetTop1, double standaloneTop1,
            double trainSeconds, boolean collapsed) {
    }

    @Override
    public Integer call() {
        if (subnets < 3 || pool < subnets || steps < 1) {
            throw new UsageException("need --subnets >= 3, --pool >= --subnets and --steps >= 1, but had "
                    + subnets + ", " + pool + " and " + steps);
        }
        DeviceProfile profile = DeviceCatalog.get(device);
        DjlRuntime.setThreads(threads);
        PrintWriter err = spec.commandLine().getErr();
        java.util.Map<String, FidelityReference.Standalone> ref = reference == null ? null
                : FidelityReference.read(reference);
        List<Row> rows = new ArrayList<>();
        try (SupernetEvaluator e = SupernetEvaluator.open(checkpoint, evaluation::apply)) {
            SupernetSpec s = e.spec();
            Path out = csv != null ? csv : checkpoint.resolve("rank-fidelity-" + device + "-seed" + seed + ".csv");
            ImageDataset.Split data = standaloneData(e.checkpoint().run(), e.validationImages());
            TrainOptions options = new TrainOptions(0, steps, batch, lr, 0.9, true, 5e-4, warmup, 256, threads);
            List<Picked> picked = spanning(s, profile);
            if (ref != null) {
                picked.stream().map(p -> p.arch().canonical()).filter(a -> !ref.containsKey(a)).findFirst()
                        .ifPresent(a -> {
                            throw new UsageException(reference + ": no row for subnet " + a + "; the reference must "
                                    + "come from a run on the same supernet range, --pool, --seed, --device and "
                                    + "--spacing");
                        });
            }
            for (int i = 0; i < picked.size(); i++) {
                Architecture a = picked.get(i).arch();
                Network net = s.network(a);
                double inherited = e.evaluate(a).top1();
                FidelityReference.Standalone t = ref != null ? ref.get(a.canonical()) : train(net, data, options, i);
                boolean collapsed = FidelityReference.collapsed(t.top1(), s.classes(), data.validation().size());
                rows.add(new Row(a, picked.get(i).latencyMs(), net.macs(), inherited, t.top1(), t.trainSeconds(),
                        collapsed));
                err.printf(Locale.ROOT, "subnet %d/%d: supernet %.2f%%, standalone %.2f%% (%s, %.0f s)%s%n", i + 1,
                        picked.size(), inherited, t.top1(), ref != null ? reference.toString() : steps + " steps",
                        t.trainSeconds(), collapsed ? "; the standalone training collapsed (no better than chance): "
                                + "left out of the correlations" : "");
                err.flush();
                FidelityReference.write(out, rows);
            }
            print(rows, out, e.describeValidation());
        }
        return 0;
    }

    private FidelityReference.Standalone train(Network net, ImageDataset.Split data, TrainOptions options, int i) {
        TrainResult t = Training.train(net, data, options, seed + i);
        return new FidelityReference.Standalone(t.top1(), t.wallSeconds());
    }

    /** The checkpoint's training images, and the first {@code images} of its held-out ones. */
    private static ImageDataset.Split standaloneData(SupernetRun run, int images) {
        ImageDataset.Split split = run.dataset().load(run.seed());
        int[] first = new int[images];
        for (int i = 0; i < images; i++) {
            first[i] = i;
        }
        return new ImageDataset.Split(split.train(), split.validation().select(first));
    }

    /** A subnet of the pool with its predicted latency. */
    record Picked(Architecture arch, double latencyMs) {
    }

    /**
     * {@code --subnets} of the distinct subnets among {@code --pool} seeded ones, by {@code --spacing}, in
     * ascending predicted latency.
     */
    private List<Picked> spanning(SupernetSpec s, DeviceProfile profile) {
        CostModel model = CostModels.forDevice(profile);
        SplittableRandom random = new SplittableRandom(seed);
        java.util.Map<String, Architecture> archs = new java.util.LinkedHashMap<>(); // a subnet drawn twice, once
        for (int i = 0; i < pool; i++) {
            Architecture a = s.sample(random);
            archs.putIfAbsent(a.canonical(), a);
        }
        if (spacing == Spacing.latency) {
            archs.putIfAbsent(s.smallest().canonical(), s.smallest());
            archs.putIfAbsent(s.largest().canonical(), s.largest());
        }
        if (archs.size() < subnets) {
            throw new UsageException("--pool " + pool + " drew only " + archs.size() + " distinct subnets of this "
                    + "supernet, fewer than --subnets " + subnets + "; allowed: a larger --pool or fewer --subnets");
        }
        List<Picked> all = new ArrayList<>();
        for (Architecture a : archs.values()) {
            all.add(new Picked(a, model.estimate(a, s.network(a), profile, 1).latencyMs()));
        }
        all.sort(Comparator.comparingDouble(Picked::latencyMs));
        return spacing == Spacing.rank ? byRank(all, subnets) : byLatency(all, subnets);
    }

    /** {@code n} of {@code sorted}, evenly spaced over its ranks. */
    static List<Picked> byRank(List<Picked> sorted, int n) {
        List<Picked> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(sorted.get((int) Math.round((double) k * (sorted.size() - 1) / (n - 1))));
        }
        return out;
    }

    /**
     * {@code n} distinct subnets of {@code sorted}, each the one not yet picked nearest to a latency evenly spaced
     * from the fastest to the slowest (the first found on a tie), in ascending latency.
     */
    static List<Picked> byLatency(List<Picked> sorted, int n) {
        double lo = sorted.get(0).latencyMs();
        double hi = sorted.get(sorted.size() - 1).latencyMs();
        boolean[] taken = new boolean[sorted.size()];
        List<Picked> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double target = lo + (hi - lo) * k / (n - 1);
            int best = -1;
            for (int i = 0; i < sorted.size(); i++) {
                if (!taken[i] && (best < 0 || Math.abs(sorted.get(i).latencyMs() - target)
                        < Math.abs(sorted.get(best).latencyMs() - target))) {
                    best = i;
                }
            }
            taken[best] = true;
            out.add(sorted.get(best));
        }
        out.sort(Comparator.comparingDouble(Picked::latencyMs));
        return out;
    }

    /** The inherited or standalone top-1 of the rows whose standalone training did not collapse. */
    static double[] column(List<Row> rows, boolean standalone) {
        return rows.stream().filter(r -> !r.collapsed())
                .mapToDouble(r -> standalone ? r.standaloneTop1() : r.supernetTop1()).toArray();
    }

    private void print(List<Row> rows, Path out, String images) {
        double[] inherited = column(rows, false);
        double[] standalone = column(rows, true);
        boolean enough = inherited.length >= 3;
        double tau = enough ? new KendallsCorrelation().correlation(inherited, standalone) : Double.NaN;
        double rho = enough ? new SpearmansCorrelation().correlation(inherited, standalone) : Double.NaN;
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            ObjectNode n = Json.object();
            n.put("checkpoint", checkpoint.toString());
            n.put("device", device);
            n.put("spacing", spacing.name());
            n.put("subnets", rows.size());
            n.put("subnets_compared", inherited.length);
            n.put("standalone_collapsed", rows.size() - inherited.length);
            if (reference == null) {
                n.put("standalone_steps", steps);
            } else {
                n.put("standalone_reference", reference.toString());
            }
            n.put("validation", images);
            n.put("kendall_tau", tau);
            n.put("spearman_rho", rho);
            n.put("csv", out.toString());
            Json.print(o, n);
        } else {
            o.printf(Locale.ROOT, "rank fidelity over %d subnets spanning %s latency (spaced by %s; standalone: "
                    + "%s)%s: Kendall tau %.3f, Spearman rho %.3f; top-1 on %s; pairs in %s%n", inherited.length,
                    device, spacing,
                    reference == null ? steps + " steps" : reference, rows.size() == inherited.length ? ""
                            : ", " + collapsedNote(rows.size() - inherited.length),
                    tau, rho, images, out);
            o.flush();
        }
    }

    private static String collapsedNote(int k) {
        return k + " collapsed standalone training" + (k == 1 ? "" : "s") + " left out";
    }
}
