package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.djl.InferenceEngine;
import io.hwnas.core.io.Json;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.train.TrainThroughput;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas bench train}: training and inference images/s and seconds per synflow for one
 * architecture, the figures the Python peer ({@code peer_torch_bench.py}) prints.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training/inference throughput and synflow time of one architecture on DJL.")
final class BenchTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpaceOptions space;

    @Option(names = "--arch", required = true, description = "the architecture string")
    String arch;

    @Option(names = "--input", description = "input shape CxHxW (default: the space's; e.g. 1x32x32 for the network "
            + "of examples/netadapt.yaml)")
    String input;

    @Option(names = "--classes", description = "number of classes (default: the space's)")
    Integer classes;

    @Option(names = "--batch", description = "batch size (default ${DEFAULT-VALUE})")
    int batch = 64;

    @Option(names = "--threads", description = "intra-op CPU threads (default ${DEFAULT-VALUE})")
    int threads = 2;

    @Option(names = "--steps", description = "timed steps (default ${DEFAULT-VALUE})")
    int steps = 20;

    @Option(names = "--synflow-runs", description = "synflow evaluations timed per round (default ${DEFAULT-VALUE})")
    int synflowRuns = 10;

    @Option(names = "--rounds", description = "rounds of --steps steps (and --synflow-runs scores); each figure "
            + "is the median over the rounds (default ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--memory-format", description = "activation layout of the training and inference passes: "
            + "channels-last (default) or contiguous (PyTorch's default NCHW, as the peer runs)")
    String memoryFormat = "channels-last";

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (batch <= 0 || threads <= 0 || steps <= 0 || synflowRuns <= 0 || rounds <= 0) {
            throw new UsageException("--batch, --threads, --steps, --synflow-runs and --rounds must be positive");
        }
        boolean channelsLast = memoryFormat.equals("channels-last");
        if (!channelsLast && !memoryFormat.equals("contiguous")) {
            throw new UsageException("--memory-format: '" + memoryFormat + "' is not allowed; use channels-last or contiguous");
        }
        SearchSpace s = space.resolve();
        Architecture a = s.parse(arch);
        if (classes != null && classes <= 0) {
            throw new UsageException("--classes must be a positive integer, but was " + classes);
        }
        Network net = s.network(a, input == null ? s.defaultInput() : Shape.parse(input),
                classes == null ? s.defaultClasses() : classes);
        DjlRuntime.setThreads(threads);
        TrainThroughput.Result r = TrainThroughput.run(net,
                new TrainThroughput.Plan(batch, steps, synflowRuns, rounds, channelsLast,
                        InferenceEngine.registry().get("onnxruntime")), 0);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("engine", DjlRuntime.engineName() + " " + DjlRuntime.engineVersion());
            o.put("engine_settings", DjlRuntime.nativeSettings());
            o.put("threads", threads);
            o.put("arch", a.canonical());
            o.put("input", net.inputShape().toString());
            o.put("classes", net.outputShape().channels());
            o.put("parameters", net.params());
            o.put("batch", batch);
            o.put("memory_format", memoryFormat);
            o.put("rounds", rounds);
            o.put("train_images_per_s", Math.round(r.trainImagesPerSecond() * 10) / 10.0);
            o.put("infer_images_per_s", Math.round(r.inferImagesPerSecond() * 10) / 10.0);
            o.put("infer_onnxruntime_images_per_s", Math.round(r.engineInferImagesPerSecond() * 10) / 10.0);
            o.put("synflow_s_per_arch", Math.round(r.synflowSecondsPerArch() * 1e4) / 1e4);
            o.put("synflow_score", Math.exp(r.synflowScore()));
            Json.print(out, o);
        } else {
            out.printf("train %.1f images/s, inference %.1f images/s (ONNX Runtime, batch norm folded: %.1f), synflow "
                    + "%.4f s per arch (%s, %d threads)%n", r.trainImagesPerSecond(), r.inferImagesPerSecond(),
                    r.engineInferImagesPerSecond(), r.synflowSecondsPerArch(),
                    DjlRuntime.engineName(), threads);
            out.flush();
        }
        return 0;
    }
}
