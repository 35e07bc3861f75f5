package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.io.Json;
import io.hwnas.core.predictor.AccuracyPredictor;
import io.hwnas.core.supernet.PredictorEstimator;
import io.hwnas.core.supernet.SubnetEvaluation;
import io.hwnas.core.supernet.SupernetEstimator;
import io.hwnas.core.supernet.SupernetSpec;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.config.Problems;
import io.hwnas.experiments.run.Progress;
import io.hwnas.experiments.run.Runner;
import io.hwnas.experiments.setup.DeviceBinding;
import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas bench supernet}: issue 15's cost figures on a trained checkpoint: the median seconds of one
 * supernet evaluation, the predictor's Spearman and Kendall against supernet-measured top-1 on fresh seeded
 * subnets, and the wall time of a predictor-driven NSGA-II search for one device with its members re-measured.
 */
@Command(name = "supernet", mixinStandardHelpOptions = true,
        description = "Supernet evaluation seconds, predictor rank correlation on fresh subnets, and the time of a "
                + "predictor-driven NSGA-II search with re-measured members, on a checkpoint.")
final class BenchSupernetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "a trained checkpoint with predictor.json (hwnas supernet fit-predictor)")
    Path checkpoint;

    @Option(names = "--evaluations", description = "subnets timed, each twice (default ${DEFAULT-VALUE})")
    int evaluations = 5;

    @Option(names = "--holdout", description = "fresh subnets the predictor is scored on (default ${DEFAULT-VALUE})")
    int holdout = 200;

    @Option(names = "--seed", description = "seed of the fresh subnets; keep it other than fit-predictor's "
            + "(default ${DEFAULT-VALUE})")
    long seed = 1_000_003;

    @Option(names = "--budget", description = "evaluations of the search (default ${DEFAULT-VALUE}; 0: no search)")
    int budget = 2000;

    @Option(names = "--population", description = "NSGA-II population and batch (default ${DEFAULT-VALUE})")
    int population = 100;

    @Option(names = "--device", description = "the device searched for (default ${DEFAULT-VALUE})")
    String device = "raspi4";

    @Option(names = "--out", description = "the search's run directory (default: a new temporary folder)")
    Path out;

    @Option(names = "--threads", description = "PyTorch threads (default ${DEFAULT-VALUE})")
    int threads = 2;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (evaluations < 1 || holdout < 2 || budget < 0 || population < 2 || threads < 1) {
            throw new UsageException("--evaluations must be >= 1, --holdout and --population >= 2, --budget >= 0 and"
                    + " --threads >= 1");
        }
        DjlRuntime.setThreads(threads);
        SupernetEstimator measure = new SupernetEstimator().withOptions(java.util.Map.of("checkpoint",
                checkpoint.toString()));
        PredictorEstimator predictor = new PredictorEstimator().withOptions(java.util.Map.of("checkpoint",
                checkpoint.toString()));
        PrintWriter err = spec.commandLine().getErr();
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("checkpoint", checkpoint.toString());
        o.put("threads", threads);
        evaluationSeconds(measure, o, err);
        predictorRanks(measure, predictor, o, err);
        if (budget > 0) {
            search(measure, o, err);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            Json.print(stdout, o);
        } else {
            o.fields().forEachRemaining(e -> stdout.println(e.getKey() + ": " + e.getValue()));
            stdout.flush();
        }
        return 0;
    }

    private void evaluationSeconds(SupernetEstimator measure, ObjectNode o, PrintWriter err) {
        SupernetSpec s = measure.checkpoint().spec();
        SplittableRandom r = new SplittableRandom(seed + 1);
        List<Architecture> subnets = new ArrayList<>();
        for (int i = 0; i < evaluations; i++) {
            subnets.add(s.sample(r));
        }
        for (String pass : List.of("first", "second")) {
            double[] seconds = new double[subnets.size()];
            for (int i = 0; i < seconds.length; i++) {
                SubnetEvaluation.Result res = measure.measure(subnets.get(i));
                seconds[i] = res.seconds();
                o.put("validation_images", res.validationImages());
                o.put("calibration_images", res.calibrationImages());
            }
            o.put("evaluation_median_s_" + pass + "_pass", new Median().evaluate(seconds));
            err.printf(Locale.ROOT, "%s pass: median %.3f s per supernet evaluation%n", pass,
                    new Median().evaluate(seconds));
            err.flush();
        }
    }

    private void predictorRanks(SupernetEstimator measure, PredictorEstimator predictor, ObjectNode o,
            PrintWriter err) {
        SplittableRandom r = new SplittableRandom(seed);
        SupernetSpec s = measure.checkpoint().spec();
        double[] predicted = new double[holdout];
        double[] measured = new double[holdout];
        double[] micros = new double[holdout];
        for (int i = 0; i < holdout; i++) {
            Architecture a = s.sample(r);
            long t = System.nanoTime();
            predicted[i] = predictor.estimate(s.space(), a, 0).value();
            micros[i] = (System.nanoTime() - t) / 1e3;
            measured[i] = measure.measure(a).top1();
            if ((i + 1) % 20 == 0) {
                err.printf(Locale.ROOT, "predictor: %d/%d fresh subnets measured%n", i + 1, holdout);
                err.flush();
            }
        }
        double[] rc = AccuracyPredictor.rankCorrelations(predicted, measured);
        o.put("predictor_model", predictor.predictor().kind());
        o.put("predictor_fresh_subnets", holdout);
        o.put("predictor_spearman", rc[0]);
        o.put("predictor_kendall", rc[1]);
        o.put("predictor_median_us", new Median().evaluate(micros));
    }

    /** An NSGA-II search for {@code --device} through the predictor, timed from binding to the written fronts. */
    private void search(SupernetEstimator measure, ObjectNode o, PrintWriter err) throws IOException {
        SupernetSpec s = measure.checkpoint().spec();
        Path dir = out != null ? out : Files.createTempDirectory("hwnas-bench-supernet-");
        Path cfg = Files.createTempFile("hwnas-bench-supernet-", ".yaml");
        String text = String.join("\n", "name: bench-supernet", "seed: 1", "space:", "  name: mobilenet",
                "  options: " + Json.MAPPER.writeValueAsString(s.space().options()),
                "  input: " + s.channels() + "x" + s.resolution() + "x" + s.resolution(), "  classes: " + s.classes(),
                "accuracy: {name: predictor, options: {checkpoint: " + Json.MAPPER.writeValueAsString(
                        checkpoint.toAbsolutePath().toString()) + "}}",
                "devices:", "  - name: " + device, "objectives: [latency_ms]",
                "strategy: {name: nsga2, options: {population: " + population + "}, batch_size: " + population + "}",
                "budget: " + budget, "executor: {name: local, parallelism: 1}", "");
        try {
            Files.writeString(cfg, text);
            long start = System.nanoTime();
            Problems p = new Problems(cfg.toString());
            ExperimentConfig c = ConfigLoader.read(cfg, p).withOutput(dir.toAbsolutePath());
            RunSetup setup = RunSetup.bind(c, DeviceBinding.catalog(), p);
            Runner.Result r = new Runner(setup, dir, new Progress(System.err, true, budget, DeviceObjectives.of(c)))
                    .force(true).run(false);
            double seconds = (System.nanoTime() - start) / 1e9;
            long remeasured;
            try (var lines = Files.lines(dir.resolve("remeasured.jsonl"))) {
                remeasured = lines.count();
            }
            o.put("search_evaluations", r.evaluations());
            o.put("search_front_members", r.fronts().get(device).size());
            o.put("search_remeasured", remeasured);
            o.put("search_seconds", seconds);
            o.put("search_run_dir", dir.toString());
            err.printf(Locale.ROOT, "search: %d evaluations, %d members (%d re-measured) in %.1f s%n",
                    r.evaluations(), r.fronts().get(device).size(), remeasured, seconds);
            err.flush();
        } finally {
            Files.deleteIfExists(cfg);
        }
    }
}
