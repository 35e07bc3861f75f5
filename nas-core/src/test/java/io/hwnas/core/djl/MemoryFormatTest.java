package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Channels-last activations and the early release of intermediate arrays change no number: the
 * same weights give the same logits, input gradients and weight gradients as the contiguous
 * (N, C, H, W) run, in training and evaluation mode. Compared in float64: in float32 the two
 * layouts sum in different orders, and training-mode batch norm over 4 images through 20+ layers
 * amplifies that rounding to about 1% in some gradients.
 */
class MemoryFormatTest {

    @ParameterizedTest
    @ValueSource(strings = {"nb201", "fbnet", "mobilenet"})
    void channelsLastComputesWhatContiguousComputes(String spaceName) {
        SearchSpace space = SearchSpaces.get(spaceName);
        if (spaceName.equals("mobilenet")) {
            space = space.withOptions(Map.of("resolutions", List.of(64), "search_channels", true));
        }
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 3; i++) {
            Network net = space.network(space.sample(rng));
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT64, 4);
                NDArray x = m.randomNormal(DjlNetworks.inputShape(net, 4)).toType(DataType.FLOAT64, false);
                for (boolean training : new boolean[] {true, false}) {
                    Run cl = run(block.channelsLast(true), x, training, m);
                    Run plain = run(block.channelsLast(false), x, training, m);
                    assertClose(plain.logits, cl.logits, spaceName + " logits, training " + training);
                    assertClose(plain.inputGrad, cl.inputGrad, spaceName + " input gradient training " + training);
                    for (int p = 0; p < plain.weightGrads.length; p++) {
                        assertClose(plain.weightGrads[p], cl.weightGrads[p], spaceName + " weight gradient " + p + " training " + training);
                    }
                }
                // every intermediate activation is released: the plain forward leaves one array
                // per non-identity layer fewer than forwardLayers, which returns them all, and
                // computes no zero layer that only sums read (forwardLayers does: x * 0, with the arrays
                // of its scalar 0 besides the result)
                long kept = arraysLeft(m, x, in -> block.forwardLayers(new ParameterStore(in.getManager(), false), in,
                        false, null));
                long released = arraysLeft(m, x, in -> block.forward(new ParameterStore(in.getManager(), false),
                        new NDList(in), false));
                long aliases = net.layers().stream().filter(l -> l.kind() == LayerKind.IDENTITY).count();
                boolean[] skipped = net.zerosReadOnlyBySums();
                long zeros = java.util.stream.IntStream.range(0, skipped.length).filter(k -> skipped[k]).count();
                long scalarArrays = arraysLeft(m, x, in -> Scalars.mul(in, 0)) - arraysLeft(m, x, in -> { }) - 1;
                assertEquals(net.layers().size() - 2 - aliases + zeros * scalarArrays, kept - released, spaceName + ": arrays kept " + kept
                        + ", after release " + released + ", zero layers skipped " + zeros);
            }
        }
    }

    /** How many arrays a forward pass leaves in a fresh manager that holds its input. */
    private static long arraysLeft(NDManager m, NDArray x, Consumer<NDArray> forward) {
        try (NDManager step = m.newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(step);
            forward.accept(in);
            return ((PtNDManager) step).getManagedArrays().size();
        }
    }

    private record Run(float[] logits, float[] inputGrad, float[][] weightGrads) {
    }

    private static Run run(NetworkBlock block, NDArray x, boolean training, NDManager m) {
        List<Parameter> params = block.trainable();
        try (NDManager step = m.newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(step);
            in.setRequiresGradient(true);
            float[] logits;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(step, false), new NDList(in), training)
                        .singletonOrThrow();
                logits = y.toType(DataType.FLOAT32, false).toFloatArray();
                gc.backward(y.square().sum());
            }
            float[][] grads = new float[params.size()][];
            for (int p = 0; p < grads.length; p++) {
                NDArray g = params.get(p).getArray().getGradient();
                grads[p] = g.toType(DataType.FLOAT32, false).toFloatArray();
                g.close();
            }
            float[] inputGrad = in.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
            for (Parameter p : params) {
                NDArray g = p.getArray().getGradient();
                g.subi(g);
                g.close();
            }
            return new Run(logits, inputGrad, grads);
        }
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 1e-6;
        for (float w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * scale, what + " [" + i + "]");
        }
    }
}
