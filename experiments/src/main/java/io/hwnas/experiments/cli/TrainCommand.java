package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.train.TrainEstimator;
import io.hwnas.core.train.TrainResult;
import io.hwnas.core.train.Training;
import io.hwnas.experiments.export.InputNormalisation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas train}: short real training of one architecture, validation top-1 and throughput. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train one architecture (SGD, warm-up + cosine) and report validation top-1.")
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpaceOptions space;

    @Option(names = "--arch", required = true, description = "the architecture string")
    String arch;

    @Option(names = "--dataset", description = "fashion-mnist, cifar10 or synthetic (default ${DEFAULT-VALUE})")
    String dataset = "fashion-mnist";

    @Option(names = "--dir", description = "the dataset's folder (default: fashion-mnist's Debian folder)")
    String dir;

    @Option(names = "--epochs", description = "epochs (default ${DEFAULT-VALUE})")
    double epochs = 1;

    @Option(names = "--steps", description = "a step budget instead of epochs")
    Integer steps;

    @Option(names = "--batch", description = "batch size (default ${DEFAULT-VALUE})")
    int batch = 64;

    @Option(names = "--lr", description = "peak learning rate (default ${DEFAULT-VALUE})")
    double lr = 0.05;

    @Option(names = "--train-size", description = "train on a seeded subset of this many images (0: all)")
    int trainSize = 0;

    @Option(names = "--val-size", description = "validation images held out of the training set "
            + "(default ${DEFAULT-VALUE})")
    int valSize = 5000;

    @Option(names = "--train-option", paramLabel = "KEY=VALUE",
            description = "another option of the train estimator: momentum, nesterov, weight_decay, warmup, threads, bn_calibration,"
                    + " flip, shift (augmentation)")
    java.util.List<String> more = java.util.List.of();

    @Option(names = "--save", paramLabel = "FILE", description = "write the trained weights here")
    Path save;

    @Option(names = "--seed", description = "seed (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Option(names = "--qat-from", paramLabel = "FILE", description = "quantisation-aware fine-tuning of the compressed "
            + "--arch from these trained weights (of --qat-base); --steps (default 50) are the fine-tuning steps, "
            + "--train-option sets the other qat estimator options; --save writes the compressed network's weights")
    Path qatFrom;

    @Option(names = "--qat-base", paramLabel = "ARCH", description = "with --qat-from: the base architecture the "
            + "weights were trained for")
    String qatBase;

    @Option(names = "--qat-ranges", paramLabel = "FILE", description = "with --qat-from: write the activation ranges "
            + "(JSON) here")
    Path qatRanges;

    @Override
    public Integer call() {
        if (qatFrom != null || qatBase != null || qatRanges != null) {
            return QatTrainCommand.run(this);
        }
        SearchSpace s = io.hwnas.core.space.compress.CompressedSpaces.forText(space.resolve(), arch);
        Architecture a = s.parse(arch);
        Map<String, Object> opts = new LinkedHashMap<>(KeyValues.parse("--train-option", more));
        opts.put("dataset", dataset);
        if (dir != null) {
            opts.put("dir", dir);
        }
        opts.put("epochs", epochs);
        if (steps != null) {
            opts.put("steps", steps);
        }
        opts.put("batch", batch);
        opts.put("lr", lr);
        opts.put("train_size", trainSize);
        opts.put("val_size", valSize);
        TrainEstimator est = new TrainEstimator().withOptions(opts);
        ImageDataset.Split data = est.data();
        Network net = s.network(a, s.defaultInput(), data.train().classes());
        PrintWriter err = spec.commandLine().getErr();
        err.printf("training %s on %d %s images (%d validation), %d steps%n", a.canonical(), data.train().size(),
                dataset, data.validation().size(), est.trainOptions().totalSteps(data.train().size()));
        err.flush();
        TrainResult r = Training.train(net, data, est.trainOptions(), seed, save);
        if (save != null) {
            InputNormalisation.of(est, net.inputShape()).write(InputNormalisation.beside(save));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = Json.object();
            o.put("space", s.name());
            o.put("arch", a.canonical());
            o.put("dataset", dataset);
            o.set("options", Json.MAPPER.valueToTree(est.options()));
            o.put("train_images", data.train().size());
            o.put("validation_images", data.validation().size());
            o.put("top1", r.top1());
            o.put("validation_loss", r.validationLoss());
            o.put("steps", r.steps());
            o.put("wall_s", r.wallSeconds());
            o.put("images_per_s", r.imagesPerSecond());
            ArrayNode curve = o.putArray("loss_curve");
            r.lossCurve().forEach(curve::add);
            if (save != null) {
                o.put("weights", save.toString());
                o.put("input_normalisation", InputNormalisation.beside(save).toString());
            }
            Json.print(out, o);
        } else {
            out.printf("top-1 %.2f%% (validation loss %.4f) after %d steps, %.1f s, %.1f images/s%n", r.top1(),
                    r.validationLoss(), r.steps(), r.wallSeconds(), r.imagesPerSecond());
            out.flush();
        }
        return 0;
    }
}
