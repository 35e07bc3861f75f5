package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.io.Json;
import io.hwnas.core.quant.QatEstimator;
import io.hwnas.core.quant.QuantisedTraining;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpaces;
import io.hwnas.experiments.export.InputNormalisation;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code hwnas train --qat-from FILE --qat-base ARCH}: quantisation-aware fine-tuning of a compressed architecture
 * from trained weights ({@link QuantisedTraining} through the {@code qat} estimator's options), writing the
 * compressed network's weights ({@code --save}) and its activation ranges ({@code --qat-ranges}) for export.
 */
final class QatTrainCommand {

    private QatTrainCommand() {
    }

    static int run(TrainCommand c) {
        if (c.qatFrom == null || c.qatBase == null) {
            throw new UsageException("--qat-from FILE and --qat-base ARCH go together (and --qat-ranges needs both)");
        }
        var parsed = c.spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--epochs")) {
            throw new UsageException("--epochs does not apply with --qat-from; give the fine-tuning steps with --steps");
        }
        SearchSpace s = CompressedSpaces.forText(c.space.resolve(), c.arch);
        Architecture a = s.parse(c.arch);
        Map<String, Object> opts = new LinkedHashMap<>(KeyValues.parse("--train-option", c.more));
        opts.put("weights", c.qatFrom.toString());
        opts.put("arch", c.qatBase);
        opts.put("dataset", c.dataset);
        if (c.dir != null) {
            opts.put("dir", c.dir);
        }
        if (c.steps != null) {
            opts.put("steps", c.steps);
        }
        if (parsed.hasMatchedOption("--lr")) {
            opts.put("lr", c.lr);
        }
        opts.put("batch", c.batch);
        opts.put("train_size", c.trainSize);
        opts.put("val_size", c.valSize);
        QatEstimator est = new QatEstimator().withOptions(opts);
        PrintWriter err = c.spec.commandLine().getErr();
        err.printf("quantisation-aware fine-tuning of %s from %s, %d steps%n", a.canonical(), c.qatFrom,
                est.settings().steps());
        err.flush();
        QuantisedTraining.Result r = est.train(s, a, c.seed, c.save, c.qatRanges);
        if (c.save != null) {
            QatEstimator.TrainingImages t = est.trainingImages(s, a);
            InputNormalisation.of(t.dataset(), t.dir(), t.seed(), t.train(), t.input())
                    .write(InputNormalisation.beside(c.save));
        }
        print(c, s, a, est, r);
        return 0;
    }

    private static void print(TrainCommand c, SearchSpace s, Architecture a, QatEstimator est,
            QuantisedTraining.Result r) {
        PrintWriter out = c.spec.commandLine().getOut();
        if (c.json) {
            ObjectNode o = Json.object();
            o.put("space", s.name());
            o.put("arch", a.canonical());
            o.put("base", c.qatBase);
            o.set("options", Json.MAPPER.valueToTree(est.options()));
            o.put("top1", r.top1());
            o.put("ptq_top1", r.ptqTop1());
            o.put("validation_loss", r.loss());
            o.put("steps", r.losses().size());
            o.put("wall_s", r.seconds());
            if (c.save != null) {
                o.put("weights", c.save.toString());
                o.put("input_normalisation", InputNormalisation.beside(c.save).toString());
            }
            if (c.qatRanges != null) {
                o.put("ranges", c.qatRanges.toString());
            }
            Json.print(out, o);
        } else {
            out.printf("top-1 %.2f%% with fake quantisation after %d steps (%.2f%% before fine-tuning), %.1f s%n",
                    r.top1(), r.losses().size(), r.ptqTop1(), r.seconds());
            out.flush();
        }
    }
}
