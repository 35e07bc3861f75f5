package io.hwnas.core.djl;

import java.util.function.Supplier;

/** Test helper: runs DJL work the way the tests' tiny layers run fastest on shared cores. */
public final class OneThread {

    private OneThread() {
    }

    /**
     * Runs {@code work} as {@code Autograd.exclusive(seed, work)} does, on one PyTorch thread (restored after):
     * the tests' layers are tiny, and on shared cores one thread runs them several times faster.
     */
    public static <T> T exclusive(long seed, Supplier<T> work) {
        return Autograd.exclusive(seed, () -> run(work));
    }

    /** Runs {@code work} on one PyTorch thread of the calling thread (restored after), without the autograd lock. */
    public static <T> T run(Supplier<T> work) {
        int threads = DjlRuntime.threads();
        DjlRuntime.setThreads(1);
        try {
            return work.get();
        } finally {
            DjlRuntime.setThreads(threads);
        }
    }
}
