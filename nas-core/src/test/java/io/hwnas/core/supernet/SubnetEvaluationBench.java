package io.hwnas.core.supernet;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * Times one subnet evaluation at the size of issue 15 (16 calibration batches of 64 images, 5,000 validation
 * images) on the default {@code mobilenet} space at resolution 32 and width 1.0, 1 x 28 x 28 images padded to
 * 32 (Fashion-MNIST's shape; seeded synthetic pixels, the time does not depend on them), over 5 seeded subnets:
 * a first pass (each subnet's new convolution shapes are checked once by {@code ConvLayoutCheck}) and a second.
 * Not a test: run {@code main} with the test classpath; arguments: [threads, default 2] [channels-last
 * true|false, default false] [validation batch, default 100].
 */
public final class SubnetEvaluationBench {

    private SubnetEvaluationBench() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        boolean channelsLast = args.length > 1 && Boolean.parseBoolean(args[1]);
        int evalBatch = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        DjlRuntime.setThreads(threads);
        MobilenetSpace space = (MobilenetSpace) new MobilenetSpace().withOptions(Map.of("resolutions", List.of(32),
                "widths", List.of(1.0)));
        SupernetSpec spec = SupernetSpec.of(space, 1, 10);
        DataSplits splits = SyntheticImages.splits(2048, 5000, new io.hwnas.core.ir.Shape(1, 28, 28), 10, 15);
        try (NDManager m = NDManager.newBaseManager()) {
            MobilenetSupernet supernet = Autograd.exclusive(15, () -> MobilenetSupernet.create(spec, m));
            SubnetEvaluation e = SubnetEvaluation.builder(supernet,
                    new ImageDataset.Split(splits.train(), splits.test())).bnBatches(16).bnBatchSize(64)
                    .validationImages(5000).evalBatch(evalBatch).channelsLast(channelsLast).build();
            SplittableRandom random = new SplittableRandom(15);
            List<Architecture> subnets = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                subnets.add(spec.sample(random));
            }
            for (String pass : List.of("first", "second")) {
                double[] seconds = new double[subnets.size()];
                for (int i = 0; i < subnets.size(); i++) {
                    SubnetEvaluation.Result r = e.evaluate(subnets.get(i));
                    seconds[i] = r.seconds();
                    System.out.printf(Locale.ROOT, "%s pass: %s top1 %.2f %.3f s, %.1f MMACs per image%n", pass,
                            r.subnet(), r.top1(), r.seconds(), spec.network(r.subnet()).macs() / 1e6);
                }
                System.out.printf(Locale.ROOT, "%s pass: of which batch-norm recalibration (extraction included): "
                        + "median %.3f s%n", pass, new Median().evaluate(calibrationSeconds(e, subnets, m)));
                System.out.printf(Locale.ROOT, "%s pass: median %.3f s per evaluation (%d calibration + %d validation "
                        + "images, %d threads, channels-last %s, validation batch %d)%n", pass, new Median().evaluate(seconds),
                        e.calibrationIndices().length, e.validationImages(), DjlRuntime.threads(), channelsLast,
                        evalBatch);
            }
        }
    }

    /** The seconds of {@link SubnetEvaluation#calibrated} alone, per subnet. */
    private static double[] calibrationSeconds(SubnetEvaluation e, List<Architecture> subnets, NDManager m) {
        double[] out = new double[subnets.size()];
        for (int i = 0; i < out.length; i++) {
            try (NDManager sub = m.newSubManager()) {
                long start = System.nanoTime();
                e.calibrated(subnets.get(i), sub);
                out[i] = (System.nanoTime() - start) / 1e9;
            }
        }
        return out;
    }
}
