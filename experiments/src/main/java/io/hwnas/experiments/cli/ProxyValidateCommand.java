package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.accuracy.TableEstimator;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas proxy validate}: rank correlation of a proxy with published accuracies on a seeded sample. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Spearman and Kendall correlation of a proxy with a published accuracy table on a sample.")
final class ProxyValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--space", required = true, description = "search space (nb201)")
    String space;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "a space option (YAML value)")
    List<String> spaceOptions = List.of();

    @Option(names = "--proxy", required = true, description = "the proxy")
    String proxy;

    @Option(names = "--proxy-option", paramLabel = "KEY=VALUE", description = "a proxy option (YAML value)")
    List<String> proxyOptions = List.of();

    @Option(names = "--reference", required = true, description = "the published table, e.g. nb201:cifar10")
    String reference;

    @Option(names = "--sample", required = true, description = "number of distinct architectures")
    int sample;

    @Option(names = "--seed", description = "seed of the sample and the proxies (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        SearchSpace s = ProxyCommand.space(space, spaceOptions);
        AccuracyEstimator e = ProxyCommand.estimator(proxy, proxyOptions);
        AccuracyEstimator table = table(s);
        if (sample < 3 || BigInteger.valueOf(sample).compareTo(s.size()) > 0) {
            throw new UsageException("--sample must be in 3.." + s.size() + ", but was " + sample);
        }
        List<Architecture> archs = sample(s, sample, seed);
        double[] scores = new double[sample];
        double[] acc = new double[sample];
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        for (int i = 0; i < sample; i++) {
            acc[i] = table.estimate(s, archs.get(i), seed).value();
            scores[i] = e.estimate(s, archs.get(i), seed).value();
            if ((i + 1) % 50 == 0) {
                err.printf("%d/%d architectures, %.3f s each%n", i + 1, sample, (System.nanoTime() - t0) / 1e9 / (i + 1));
                err.flush();
            }
        }
        double perArch = (System.nanoTime() - t0) / 1e9 / sample;
        double rho = new SpearmansCorrelation().correlation(scores, acc);
        double tau = new KendallsCorrelation().correlation(scores, acc);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("space", s.name());
            o.put("proxy", e.name());
            o.set("options", Json.MAPPER.valueToTree(e.options()));
            o.put("reference", reference);
            o.put("seed", seed);
            o.put("n", sample);
            o.put("spearman", rho);
            o.put("kendall", tau);
            o.put("seconds_per_arch", perArch);
            Json.print(out, o);
        } else {
            out.printf("%s vs %s on %d %s architectures (seed %d): Spearman %.4f, Kendall %.4f, %.3f s per arch%n",
                    e.name(), reference, sample, s.name(), seed, rho, tau, perArch);
            out.flush();
        }
        return 0;
    }

    private AccuracyEstimator table(SearchSpace s) {
        int colon = reference.indexOf(':');
        String ref = colon < 0 ? "" : reference.substring(0, colon);
        String dataset = colon < 0 ? "" : reference.substring(colon + 1);
        if (!ref.equals("nb201") || !TableEstimator.DATASETS.contains(dataset)) {
            throw new UsageException("--reference " + reference + " is not known; expected one of "
                    + TableEstimator.DATASETS.stream().map(d -> "nb201:" + d).toList());
        }
        if (!s.name().equals("nb201")) {
            throw new UsageException("--reference " + reference + " needs --space nb201, not " + s.name());
        }
        return AccuracyEstimators.get("table", Map.of("dataset", dataset));
    }

    /** {@code n} distinct architectures drawn uniformly with a seeded generator. */
    static List<Architecture> sample(SearchSpace s, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Set<Architecture> out = new LinkedHashSet<>();
        while (out.size() < n) {
            out.add(s.sample(r));
        }
        return new ArrayList<>(out);
    }
}
