package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.io.Json;
import io.hwnas.core.supernet.SubnetEvaluation;
import io.hwnas.core.supernet.SupernetEvaluator;
import io.hwnas.core.supernet.SupernetSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas supernet eval}: scores subnets with the weights they inherit from a supernet checkpoint (batch-norm
 * statistics recalibrated on training batches, top-1 on held-out validation images).
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score subnets with inherited weights: batch-norm recalibration, then top-1 on held-out images.")
final class SupernetEvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "the supernet checkpoint")
    Path checkpoint;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Option(names = "--arch", paramLabel = "A", description = "a subnet's architecture string (repeatable)")
        List<String> arch;

        @Option(names = "--sample", paramLabel = "K", description = "K seeded subnets of the supernet's range")
        Integer sample;
    }

    @Option(names = "--seed", description = "seed of --sample (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Mixin
    SubnetEvaluationOptions evaluation;

    @Option(names = "--threads", description = "PyTorch threads (default: the engine's)")
    Integer threads;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (which.sample != null && which.sample < 1) {
            throw new UsageException("--sample must be >= 1, not " + which.sample);
        }
        if (threads != null) {
            DjlRuntime.setThreads(threads);
        }
        List<SubnetEvaluation.Result> results = new ArrayList<>();
        String images;
        try (SupernetEvaluator e = SupernetEvaluator.open(checkpoint, evaluation::apply)) {
            List<Architecture> subnets = subnets(e.spec());
            images = e.describeValidation();
            for (Architecture a : subnets) {
                results.add(e.evaluate(a));
            }
        }
        print(results, images);
        return 0;
    }

    private List<Architecture> subnets(SupernetSpec s) {
        List<Architecture> out = new ArrayList<>();
        if (which.arch != null) {
            for (String a : which.arch) {
                Architecture arch = s.space().parse(a);
                s.check(arch);
                out.add(arch);
            }
        } else {
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < which.sample; i++) {
                out.add(s.sample(random));
            }
        }
        return out;
    }

    private void print(List<SubnetEvaluation.Result> results, String images) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("checkpoint", checkpoint.toString());
            o.put("validation", images);
            ArrayNode a = o.putArray("subnets");
            for (SubnetEvaluation.Result r : results) {
                ObjectNode n = a.addObject();
                n.put("arch", r.subnet().canonical());
                n.put("top1", r.top1());
                n.put("loss", r.loss());
                n.put("seconds", r.seconds());
            }
            Json.print(out, o);
        } else {
            out.println("arch\ttop1\tseconds");
            for (SubnetEvaluation.Result r : results) {
                out.printf(Locale.ROOT, "%s\t%.2f\t%.3f%n", r.subnet().canonical(), r.top1(), r.seconds());
            }
            out.printf("# top-1 on %s%n", images);
            out.flush();
        }
    }
}
