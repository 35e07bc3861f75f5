package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OnnxExporterTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} fold={1}")
    @CsvSource({"nb201,true", "nb201,false", "fbnet,true", "mobilenet,true", "mobilenet,false"})
    void twentySeededArchitecturesPassTheCheckerAndMatchDjl(String spaceName, boolean fold) throws Exception {
        SearchSpace space = SearchSpaces.get(spaceName);
        if (spaceName.equals("mobilenet")) { // small resolution and SE/channel choices for a fast CPU test
            space = space.withOptions(Map.of("resolutions", List.of(32), "search_channels", true,
                    "activation", fold ? "hswish" : "relu6"));
        }
        SplittableRandom rng = new SplittableRandom(20 + spaceName.hashCode());
        List<Path> files = new ArrayList<>();
        double worst = 0;
        double scale = 0;
        List<Double> latencies = new ArrayList<>();
        int count = fold ? 20 : 5;
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            // 16x16 inputs keep nb201 and fbnet fast on a CPU; the layers are those of 32x32 inputs
            Network net = spaceName.equals("mobilenet") ? space.network(space.sample(rng))
                    : space.network(space.sample(rng), new io.hwnas.core.ir.Shape(3, 16, 16), space.defaultClasses());
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, 2);
                perturbBatchNorms(block, rng);
                // running statistics from data, as after training or BN calibration, so outputs are of unit
                // scale (the initial mean 0 / variance 1 let NB201 and FBNet logits reach 1e3-1e5)
                // (MobileNet's outputs are of unit scale as initialised; calibrated on Gaussian inputs its
                // late 1x1 feature maps give degenerate statistics, so it keeps the initial ones)
                if (!spaceName.equals("mobilenet")) {
                    long[] calShape = DjlNetworks.inputShape(net, 32).getShape();
                    BatchNormStatistics.calibrate(block, Verification.gaussian(new SplittableRandom(500 + i),
                            32 * net.inputShape().elements()), calShape);
                }
                ModelProto model = new OnnxExporter(fold).export(block, Map.of("hwnas.space", spaceName));
                byte[] bytes = model.toByteArray();
                Path file = dir.resolve(spaceName + "-" + i + ".onnx");
                OnnxChecker.write(file, bytes);
                files.add(file);
                Verification v = Verification.of(bytes, block, 1000 + i, 2, 5);
                assertTrue(v.maxAbsOutput() < 100, spaceName + " #" + i + ": outputs up to " + v.maxAbsOutput());
                assertTrue(v.maxAbsDiff() <= 1e-4, spaceName + " #" + i + ": max abs diff " + v.maxAbsDiff()
                        + ", outputs up to " + v.maxAbsOutput());
                worst = Math.max(worst, v.maxAbsDiff());
                scale = Math.max(scale, v.maxAbsOutput());
                latencies.add(v.latencyMs());
            }
        }
        latencies.sort(null);
        System.out.printf("%s fold=%s: %d architectures in %.1f s, max abs diff %.3g (outputs up to %.3g),"
                + " median ORT latency %.3f ms%n", spaceName, fold, count, (System.nanoTime() - t0) / 1e9, worst,
                scale, latencies.get(latencies.size() / 2));
        OnnxChecker.check(files);
        assertEquals(count, files.size());
    }

    /**
     * The deployment form leaves out zero edges read only by sums and the layers only they read, writes each sum as
     * two-input Adds (which ONNX Runtime fuses into convolutions), and writes a zero that something else reads as a
     * zero-weight depthwise 1x1 convolution (kept in ONNX Runtime's channel-blocked layout, unlike a Mul by 0).
     * Both forms compute what DJL computes.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // node 1 = conv(0); node 2 = zero(0) + conv(1): one live input; node 3 = skip(0) + zero(1) + skip(2)
        "'|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|', 0, 1, 2",
        // three live inputs per node 3: two Adds each
        "'|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|', 0, 3, 6",
        // node 3 = skip(0) + zero(1) + zero(2): nodes 1 and 2 are read only through zeros, so never computed
        "'|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|', 0, 0, 0",
        // every edge zero: nothing to leave them out for, so each cell keeps its six zeros
        "'|none~0|+|none~0|none~1|+|none~0|none~1|none~2|', 90, 3, 0"})
    void theDeploymentFormLeavesOutZeroEdgesAndWritesSumsAsAdds(String arch, int zeros, int addsPerCell,
            int convsPerCell) throws Exception {
        SearchSpace space = SearchSpaces.get("nb201");
        Network net = space.network(space.parse(arch), new io.hwnas.core.ir.Shape(3, 16, 16), 10);
        try (NDManager m = NDManager.newBaseManager()) {
            NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, 2);
            perturbBatchNorms(block, new SplittableRandom(3));
            ModelProto folded = OnnxExporter.folding().export(block, Map.of());
            ModelProto asIr = new OnnxExporter(false).export(block, Map.of());
            java.util.function.Function<String, Long> count = op -> folded.getGraph().getNodeList().stream()
                    .filter(node -> node.getOpType().equals(op)).count();
            assertEquals(0, count.apply("Sum"), arch);
            assertEquals(0, count.apply("Mul"), arch);
            long zeroConvs = folded.getGraph().getNodeList().stream().filter(node -> node.getOpType().equals("Conv")
                    && node.getInput(1).endsWith(".zero")).count();
            assertEquals(zeros, zeroConvs, arch);
            // the stem, two convolutions and a shortcut convolution per residual block, and the cells' own
            assertEquals(1 + 2 * 3 + 15 * convsPerCell, count.apply("Conv") - zeroConvs, arch);
            // 15 cells, plus the two residual blocks' Adds
            assertEquals(15 * addsPerCell + 2, count.apply("Add"), arch);
            long zeroEdges = arch.split("none~", -1).length - 1;
            assertEquals(15 * zeroEdges, asIr.getGraph().getNodeList().stream()
                    .filter(node -> node.getOpType().equals("Mul")).count(), "the IR form keeps every zero edge");
            for (ModelProto model : List.of(folded, asIr)) {
                Verification v = Verification.of(model.toByteArray(), block, 7, 2, 5);
                assertTrue(v.maxAbsDiff() <= 1e-4 * Math.max(1, v.maxAbsOutput()), arch + ": max abs diff "
                        + v.maxAbsDiff() + ", outputs up to " + v.maxAbsOutput());
            }
        }
    }

    /**
     * Batch-norm parameters unlike the trivial initial ones (scale 1, shift 0, mean 0, variance 1), so
     * that folding and the kept BatchNormalization are both exercised; mild, as after training.
     */
    static void perturbBatchNorms(NetworkBlock block, SplittableRandom rng) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter.Type t = p.getValue().getType();
            NDArray a = p.getValue().getArray();
            int n = Math.toIntExact(a.size());
            float[] v = new float[n];
            switch (t) {
                case GAMMA -> fill(v, rng, 0.7, 1.3);
                case BETA, RUNNING_MEAN -> fill(v, rng, -0.1, 0.1);
                case RUNNING_VAR -> fill(v, rng, 0.8, 1.25);
                default -> {
                    continue;
                }
            }
            a.set(v);
        }
    }

    private static void fill(float[] v, SplittableRandom rng, double lo, double hi) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextDouble(lo, hi);
        }
    }
}
