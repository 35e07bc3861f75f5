package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.search.SearchStrategies;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.harness.Nb201TableBenchmark;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas bench strategies}: every strategy on NAS-Bench-201 with the shipped tables (test
 * accuracy x HW-NAS-Bench measured latency), scored by the hypervolume gap to the true Pareto front
 * of the whole table and by the share of that front found, over several seeds.
 */
@Command(name = "strategies", mixinStandardHelpOptions = true,
        description = "Measure search strategies on NB201 accuracy x HW-NAS-Bench latency: HV gap and front recall.")
final class BenchStrategiesCommand implements Callable<Integer> {

    static final List<String> DEFAULT_STRATEGIES = List.of("random", "nsga2", "aging-evolution", "reinforce");

    @Spec
    CommandSpec spec;

    @Option(names = "--space", defaultValue = "nb201", description = "the space with a full table: nb201")
    String space;

    @Option(names = "--accuracy", defaultValue = "nb201:cifar10",
            description = "nb201:DATASET, DATASET one of cifar10, cifar100, imagenet16_120 (default ${DEFAULT-VALUE})")
    String accuracy;

    @Option(names = "--latency", defaultValue = "table:raspi4",
            description = "table:DEVICE, DEVICE one of raspi4, pixel3, eyeriss, fpga (default ${DEFAULT-VALUE})")
    String latency;

    @Option(names = "--budget", defaultValue = "300", description = "evaluations per run (default ${DEFAULT-VALUE})")
    int budget;

    @Option(names = "--seeds", defaultValue = "10", description = "runs per strategy, seeds 0..K-1 (default ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--batch", defaultValue = "10", description = "batch size hint (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--strategies", split = ",", description = "strategies to run (default: "
            + "random,nsga2,aging-evolution,reinforce; netadapt needs the mobilenet space)")
    List<String> strategies = DEFAULT_STRATEGIES;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (!space.equals("nb201")) {
            throw new UsageException("--space " + space + " is not allowed; bench strategies needs a space whose "
                    + "whole table is known: nb201");
        }
        String dataset = prefixed("--accuracy", accuracy, "nb201:");
        String device = prefixed("--latency", latency, "table:");
        if (budget <= 0 || seeds <= 0 || batch <= 0) {
            throw new UsageException("--budget, --seeds and --batch must be positive, but were " + budget + ", " + seeds
                    + ", " + batch);
        }
        List<SearchStrategy> list = new ArrayList<>();
        for (String s : strategies) {
            if (s.equals("netadapt")) {
                throw new UsageException("--strategies netadapt is not allowed here: netadapt shrinks the channels of "
                        + "mobilenet networks and does not apply to nb201");
            }
            list.add(SearchStrategies.get(s, Map.of()));
        }
        Nb201TableBenchmark bench = new Nb201TableBenchmark(dataset, device);
        PrintWriter err = spec.commandLine().getErr();
        List<Measured> measured = new ArrayList<>();
        for (SearchStrategy s : list) {
            long t0 = System.nanoTime();
            Nb201TableBenchmark.Summary r = bench.measure(s, budget, batch, seeds);
            Measured m = new Measured(s, r, (System.nanoTime() - t0) / 1e9);
            measured.add(m);
            err.printf("%-16s HV gap %.5f +- %.5f, front recall %.3f (%.1f s)%n", s.name(), r.hvGapMean(), r.hvGapSd(),
                    r.frontRecallMean(), m.seconds());
            err.flush();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Json.print(out, json(bench, measured));
        } else {
            out.printf("%s x %s on %s, %d evaluations, %d seeds; true front: %d architectures%n", accuracy, latency, space,
                    budget, seeds, bench.trueFrontSize());
            out.printf("%-16s %12s %12s %12s%n", "strategy", "hv_gap_mean", "hv_gap_sd", "front_recall");
            for (Measured m : measured) {
                out.printf("%-16s %12.5f %12.5f %12.3f%n", m.strategy().name(), m.summary().hvGapMean(),
                        m.summary().hvGapSd(), m.summary().frontRecallMean());
            }
            out.flush();
        }
        return 0;
    }

    /** One strategy's figures and the seconds they took. */
    private record Measured(SearchStrategy strategy, Nb201TableBenchmark.Summary summary, double seconds) {
    }

    private ObjectNode json(Nb201TableBenchmark bench, List<Measured> measured) {
        ObjectNode root = Json.object();
        root.put("space", space);
        root.put("accuracy", accuracy);
        root.put("latency", latency);
        root.put("budget", budget);
        root.put("seeds", seeds);
        root.put("batch", batch);
        root.put("true_front_size", bench.trueFrontSize());
        ObjectNode results = root.putObject("strategies");
        for (Measured m : measured) {
            Nb201TableBenchmark.Summary r = m.summary();
            ObjectNode o = results.putObject(m.strategy().name());
            o.put("hv_gap_mean", r.hvGapMean());
            o.put("hv_gap_sd", r.hvGapSd());
            o.put("front_recall_mean", r.frontRecallMean());
            o.set("hv_gaps", Json.MAPPER.valueToTree(r.hvGaps()));
            o.put("seconds", m.seconds());
            o.set("options", Json.MAPPER.valueToTree(m.strategy().options()));
            rewardTrend(r.reports()).forEach((k, v) -> o.set(k, Json.MAPPER.valueToTree(v)));
        }
        return root;
    }

    /** For strategies that report rewards: mean reward of the first and the last 20% of samples per seed. */
    private static Map<String, Object> rewardTrend(List<Map<String, Object>> reports) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Double> first = new ArrayList<>();
        List<Double> last = new ArrayList<>();
        for (Map<String, Object> r : reports) {
            if (!(r.get("rewards") instanceof List<?> rewards) || rewards.size() < 5) {
                return m;
            }
            int fifth = rewards.size() / 5;
            first.add(mean(rewards.subList(0, fifth)));
            last.add(mean(rewards.subList(rewards.size() - fifth, rewards.size())));
        }
        m.put("reward_first20_mean", first);
        m.put("reward_last20_mean", last);
        return m;
    }

    private static double mean(List<?> xs) {
        return xs.stream().mapToDouble(x -> ((Number) x).doubleValue()).average().orElse(Double.NaN);
    }

    private static String prefixed(String option, String value, String prefix) {
        if (!value.startsWith(prefix)) {
            throw new UsageException(option + " " + value + " is not allowed; expected " + prefix + "NAME");
        }
        return value.substring(prefix.length());
    }
}
