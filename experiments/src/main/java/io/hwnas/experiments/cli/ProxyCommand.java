package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.accuracy.AccuracyEstimator;
import io.hwnas.core.accuracy.AccuracyEstimators;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.proxy.EnsembleEstimator;
import io.hwnas.core.proxy.ProxyEstimator;
import io.hwnas.core.space.SearchSpace;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas proxy}: zero-cost proxy scores of architectures on the untrained DJL network. */
@Command(name = "proxy", mixinStandardHelpOptions = true, subcommands = ProxyValidateCommand.class,
        description = "Score architectures with a zero-cost proxy (synflow, nwot, snip, grad_norm, jacov, params, "
                + "flops, ensemble).")
final class ProxyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--space", description = "search space: nb201, fbnet, mobilenet")
    String space;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "a space option (YAML value)")
    List<String> spaceOptions = List.of();

    @Option(names = "--proxy", description = "the proxy: synflow, nwot, snip, grad_norm, jacov, params, flops, "
            + "ensemble")
    String proxy;

    @Option(names = "--proxy-option", paramLabel = "KEY=VALUE",
            description = "a proxy option (YAML value), e.g. batch=32, data=fashion-mnist, proxies=[synflow,nwot]")
    List<String> proxyOptions = List.of();

    @ArgGroup(exclusive = true)
    Archs archs;

    /** Either one architecture or a file of them. */
    static final class Archs {
        @Option(names = "--arch", description = "one architecture string") String arch;
        @Option(names = "--archs", paramLabel = "FILE", description = "a file with one architecture per line")
        Path file;
    }

    @Option(names = "--seed", description = "seed of the weight initialisation (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (space == null || proxy == null || archs == null) {
            throw new UsageException("hwnas proxy needs --space, --proxy and one of --arch or --archs");
        }
        SearchSpace s = space(space, spaceOptions);
        AccuracyEstimator e = estimator(proxy, proxyOptions);
        List<Architecture> list = archs.arch != null ? List.of(s.parse(archs.arch)) : readArchs(s, archs.file);
        double[] scores = new double[list.size()];
        long t0 = System.nanoTime();
        for (int i = 0; i < scores.length; i++) {
            scores[i] = e.estimate(s, list.get(i), seed).value();
        }
        double perArch = (System.nanoTime() - t0) / 1e9 / Math.max(1, scores.length);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("space", s.name());
            o.put("proxy", e.name());
            o.set("options", Json.MAPPER.valueToTree(e.options()));
            if (e instanceof ProxyEstimator p) {
                o.put("data", p.dataDescription(s));
            } else if (e instanceof EnsembleEstimator en) {
                o.put("data", en.dataDescription(s));
            }
            ArrayNode a = o.putArray("archs");
            list.forEach(x -> a.add(x.canonical()));
            ArrayNode sc = o.putArray("scores");
            for (double v : scores) {
                sc.add(v);
            }
            o.put("seconds_per_arch", perArch);
            Json.print(out, o);
        } else {
            for (int i = 0; i < scores.length; i++) {
                out.printf("%.6g  %s%n", scores[i], list.get(i).canonical());
            }
            out.flush();
        }
        return 0;
    }

    static SearchSpace space(String name, List<String> options) {
        SpaceOptions so = new SpaceOptions();
        so.space = name;
        so.options = options;
        return so.resolve();
    }

    /** A proxy estimator by name (accuracy estimators such as table and train are refused). */
    static AccuracyEstimator estimator(String name, List<String> options) {
        AccuracyEstimator e = AccuracyEstimators.get(name, KeyValues.parse("--proxy-option", options));
        if (e.isAccuracy()) {
            throw new UsageException("--proxy " + name + " is not a zero-cost proxy; expected one of "
                    + AccuracyEstimators.registry().names().stream()
                            .filter(n -> !AccuracyEstimators.registry().get(n).isAccuracy()).toList());
        }
        return e;
    }

    static List<Architecture> readArchs(SearchSpace s, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file; expected one architecture string per line");
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage());
        }
        List<Architecture> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty()) {
                continue;
            }
            try {
                out.add(s.parse(l));
            } catch (IllegalArgumentException e) {
                throw new UsageException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        if (out.isEmpty()) {
            throw new UsageException(file + ": no architectures; expected one architecture string per line");
        }
        return out;
    }
}
