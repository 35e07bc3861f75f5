package io.hwnas.core.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The DJL PyTorch engine as the rest of hwnas sees it: its intra-op thread count, its global seed
 * and its versions, so that no package outside the DJL ones imports {@code ai.djl}.
 */
public final class DjlRuntime {

    private DjlRuntime() {
    }

    /** Loads the engine (unpacking the native library on first use) and applies hwnas's native settings. */
    public static void start() {
        NativeSettings.apply();
    }

    /** What hwnas set in libtorch beyond DJL's settings ({@link NativeSettings}), e.g. "NNPACK off". */
    public static String nativeSettings() {
        return NativeSettings.outcome();
    }

    /** Sets the intra-op threads of the PyTorch engine (process-wide). */
    public static void setThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, but was " + threads);
        }
        start();
        JniUtils.setNumThreads(threads);
    }

    /**
     * Runs {@code work} with {@code threads} intra-op threads and gives the engine's count back afterwards;
     * {@code threads <= 0}, or the count already set, runs it as it is (a change of the count clears oneDNN's
     * cache of compiled kernels, so it is made only when needed).
     */
    public static <T> T withThreads(int threads, java.util.function.Supplier<T> work) {
        int before = threads();
        if (threads <= 0 || threads == before) {
            return work.get();
        }
        JniUtils.setNumThreads(threads);
        try {
            return work.get();
        } finally {
            JniUtils.setNumThreads(before);
        }
    }

    /** The intra-op threads of the PyTorch engine. */
    public static int threads() {
        start();
        return JniUtils.getNumThreads();
    }

    /** Seeds the engine's global random numbers (parameter initialisation, dropout). */
    public static void seed(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
    }

    /** The DJL version. */
    public static String djlVersion() {
        return Engine.getDjlVersion();
    }

    /** The engine's name ("PyTorch"). */
    public static String engineName() {
        return Engine.getInstance().getEngineName();
    }

    /** The version of the engine's library (PyTorch). */
    public static String engineVersion() {
        return Engine.getInstance().getVersion();
    }
}
