package io.hwnas.core.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NwotKernelTest {

    /** The kernel equals its definition, the count of gate units on which inputs i and j agree (gate 1 twice). */
    @Test
    void kernelCountsAgreeingUnits() {
        int n = 5;
        int[] widths = {7, 12, 3};
        SplittableRandom r = new SplittableRandom(11);
        List<float[]> raw = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> gates = new ArrayList<>();
            for (int w : widths) {
                float[] v = new float[n * w];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextDouble() - 0.4);
                }
                raw.add(v);
                gates.add(m.create(v, new Shape(n, w)));
            }
            float[] k = Nwot.kernel(m, gates.subList(0, 3), List.of(1, 2, 1), n).toFloatArray();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int agree = 0;
                    for (int g : new int[] {0, 1, 1, 2}) {
                        int w = widths[g];
                        for (int u = 0; u < w; u++) {
                            agree += (raw.get(g)[i * w + u] > 0) == (raw.get(g)[j * w + u] > 0) ? 1 : 0;
                        }
                    }
                    assertEquals(agree, k[i * n + j], 1e-4, "K[" + i + "][" + j + "]");
                }
            }
        }
    }
}
