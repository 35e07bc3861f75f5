package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.io.Json;
import io.hwnas.core.predictor.AccuracyPredictor;
import io.hwnas.core.predictor.Mlp;
import io.hwnas.core.supernet.PredictorEstimator;
import io.hwnas.core.supernet.PredictorFitting;
import io.hwnas.core.supernet.SubnetEvaluation;
import io.hwnas.core.supernet.SupernetEstimator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas supernet fit-predictor}: measure seeded subnets with the supernet, fit the checkpoint's accuracy
 * predictor on some and report its rank correlation on the others.
 */
@Command(name = "fit-predictor", mixinStandardHelpOptions = true,
        description = "Measure N+M seeded subnets with the supernet, fit the accuracy predictor on N, report "
                + "Spearman and Kendall on the M held out, and write predictor.json into the checkpoint.")
final class SupernetPredictorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "the supernet checkpoint")
    Path checkpoint;

    @Option(names = "--samples", description = "subnets the predictor is fitted on (default ${DEFAULT-VALUE})")
    int samples = 1000;

    @Option(names = "--holdout", description = "subnets held out to score it (default ${DEFAULT-VALUE})")
    int holdout = 200;

    @Option(names = "--seed", description = "seed of the subnets drawn and of the fitting (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--model", description = "the model written: mlp or ridge (default ${DEFAULT-VALUE}); both are "
            + "scored")
    String model = "mlp";

    @Option(names = "--epochs", description = "MLP training epochs (default ${DEFAULT-VALUE})")
    int epochs = Mlp.Training.defaults().epochs();

    @Option(names = "--weight-decay", description = "MLP L2 weight decay (default ${DEFAULT-VALUE})")
    double weightDecay = Mlp.Training.defaults().weightDecay();

    @Option(names = "--measure-option", paramLabel = "KEY=VALUE", description = "an option of the supernet "
            + "estimator that measures: bn_batches, bn_batch_size, validation_images, eval_batch")
    java.util.List<String> more = java.util.List.of();

    @Option(names = "--threads", description = "PyTorch threads (default: the engine's)")
    Integer threads;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (samples < 2 || holdout < 2) {
            throw new UsageException("--samples and --holdout must be at least 2, but were " + samples + " and "
                    + holdout);
        }
        if (!AccuracyPredictor.KINDS.contains(model)) {
            throw new UsageException("--model " + model + " is not one of " + AccuracyPredictor.KINDS);
        }
        if (epochs < 1 || !(weightDecay >= 0)) {
            throw new UsageException("--epochs must be positive and --weight-decay >= 0, but were " + epochs + " and "
                    + weightDecay);
        }
        if (threads != null) {
            if (threads < 1) {
                throw new UsageException("--threads must be positive, but was " + threads);
            }
            DjlRuntime.setThreads(threads);
        }
        Map<String, Object> options = new LinkedHashMap<>(KeyValues.parse("--measure-option", more));
        options.put("checkpoint", checkpoint.toString());
        SupernetEstimator measure = new SupernetEstimator().withOptions(options);
        PrintWriter err = spec.commandLine().getErr();
        int total = samples + holdout;
        PredictorFitting.Result r = PredictorFitting.fit(measure, samples, holdout, seed, model,
                Mlp.Training.defaults().withEpochs(epochs).withWeightDecay(weightDecay), listener(err, total));
        Path file = checkpoint.resolve(PredictorEstimator.FILE);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("checkpoint", checkpoint.toString());
            o.put("predictor", file.toString());
            o.put("samples_file", checkpoint.resolve(PredictorFitting.SAMPLES).toString());
            o.put("model", model);
            o.put("samples", samples);
            o.put("holdout", holdout);
            o.put("seed", seed);
            o.put("measure_seconds", r.measureSeconds());
            o.put("failed_measurements", r.failures().size());
            ArrayNode scores = o.putArray("holdout_scores");
            for (PredictorFitting.Score s : r.scores()) {
                scores.addObject().put("model", s.kind()).put("spearman", s.spearman()).put("kendall", s.kendall());
            }
            Json.print(out, o);
        } else {
            for (PredictorFitting.Score s : r.scores()) {
                out.printf(java.util.Locale.ROOT, "%-5s on %d held-out subnets: spearman %.3f kendall %.3f%s%n",
                        s.kind(), holdout, s.spearman(), s.kendall(), s.kind().equals(model) ? "  (written)" : "");
            }
            out.printf(java.util.Locale.ROOT, "wrote %s (%d subnets measured in %.1f s, %s)%n", file, total,
                    r.measureSeconds(), checkpoint.resolve(PredictorFitting.SAMPLES));
            out.flush();
        }
        return 0;
    }

    /** Prints each measurement, and each skipped subnet, as a progress line on stderr. */
    private static PredictorFitting.Listener listener(PrintWriter err, int total) {
        AtomicInteger done = new AtomicInteger();
        return new PredictorFitting.Listener() {
            @Override
            public void measured(SubnetEvaluation.Result m) {
                err.printf(java.util.Locale.ROOT, "measured %d/%d: top1 %.2f in %.2f s  %s%n",
                        done.incrementAndGet(), total, m.top1(), m.seconds(), m.subnet().canonical());
                err.flush();
            }

            @Override
            public void failed(PredictorFitting.Failure f) {
                err.printf(java.util.Locale.ROOT, "skipped %s: %s (the next drawn subnet replaces it)%n",
                        f.subnet().canonical(), f.reason());
                err.flush();
            }
        };
    }
}
