package io.hwnas.core.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.junit.jupiter.api.Test;

/** The libtorch settings hwnas applies beyond DJL's take effect on the pinned libtorch (linux-x86_64). */
class NativeSettingsTest {

    @Test
    void nnpackIsOffOnceTheEngineIsStartedAndConvolutionsStillRun() {
        DjlRuntime.start();
        assertEquals("NNPACK off; " + NativeSettings.keepFreedMemory(System.getenv()), DjlRuntime.nativeSettings());
        // a float64 convolution, the kind that asked for NNPACK, still runs on the im2col kernel: all-ones input and
        // weights give 9 * channels at every interior output
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(2, 4, 6, 6), DataType.FLOAT64);
            NDArray w = m.ones(new Shape(3, 4, 3, 3), DataType.FLOAT64);
            NDArray y = Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
            assertEquals(36.0, y.getDouble(1, 2, 3, 3));
            assertEquals(16.0, y.getDouble(0, 0, 0, 0)); // a corner sees 2 x 2 of the 3 x 3 window
        }
    }

    /** glibc's malloc is tuned on Linux unless the user's environment tunes it already. */
    @Test
    void mallocIsTunedUnlessTheEnvironmentTunesIt() {
        org.junit.jupiter.api.Assumptions.assumeTrue(com.sun.jna.Platform.isLinux());
        assertEquals("glibc malloc keeps freed memory (mmap threshold 32 MiB, trim threshold and top pad 256 MiB)",
                NativeSettings.keepFreedMemory(java.util.Map.of("HOME", "/root")));
        assertEquals("malloc left as it is: MALLOC_ARENA_MAX is set",
                NativeSettings.keepFreedMemory(java.util.Map.of("MALLOC_ARENA_MAX", "1")));
        assertEquals("malloc left as it is: GLIBC_TUNABLES is set", NativeSettings.keepFreedMemory(
                java.util.Map.of("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1")));
    }
}
