package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DjlNetworksTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"nb201,{}", "nb201,prune", "fbnet,{}", "mobilenet,{}", "mobilenet,se"})
    void twentySeededSamplesBuildRunAndMatchTheIr(String spaceName, String variant) {
        SearchSpace space = SearchSpaces.get(spaceName);
        if (variant.equals("prune")) {
            space = space.withOptions(Map.of("prune", true));
        }
        if (spaceName.equals("mobilenet")) { // keep the CPU test fast: small resolutions
            space = space.withOptions(Map.of("resolutions", java.util.List.of(64, 96), "search_channels",
                    variant.equals("se")));
        }
        SplittableRandom rng = new SplittableRandom(spaceName.hashCode() + variant.hashCode());
        for (int i = 0; i < 20; i++) {
            Network net = space.network(space.sample(rng));
            try (NDManager m = NDManager.newBaseManager()) {
                NetworkBlock block = DjlNetworks.initialized(net, m, DataType.FLOAT32, 2);
                assertEquals(net.params(), block.trainableParameters(), net.layers().size() + " layers");
                NDArray x = m.randomNormal(DjlNetworks.inputShape(net, 2));
                NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
                assertArrayEquals(new long[] {2, net.outputShape().channels()}, y.getShape().getShape());
                assertTrue(Float.isFinite(y.sum().getFloat()));
            }
        }
    }
}
