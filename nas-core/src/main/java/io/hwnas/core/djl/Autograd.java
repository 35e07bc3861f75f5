package io.hwnas.core.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serialises work that records gradients or seeds DJL's engine: DJL's PyTorch engine allows one
 * gradient collector in the process at a time, and its random generator is global, so seeded
 * initialisation is only deterministic while no other thread draws from it.
 */
public final class Autograd {

    private static final ReentrantLock LOCK = new ReentrantLock();

    private Autograd() {
    }

    /** Runs {@code work} alone, with DJL's engine seeded from {@code seed}. */
    public static <T> T exclusive(long seed, Supplier<T> work) {
        LOCK.lock();
        try {
            NativeSettings.apply();
            Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
            // PyTorch's grad mode is per thread and on by default; DJL turns it off only on the
            // thread that loads the engine. Off, forward passes outside a collector keep no graph.
            JniUtils.setGradMode(false);
            return work.get();
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Runs {@code work} on this thread with PyTorch's grad mode off (restored afterwards), without taking the
     * lock: for inference-only work that may run in several threads at once. The work must not draw from the
     * engine's random generator (a seeded section in another thread would see its draws shift).
     */
    public static <T> T withoutGradients(Supplier<T> work) {
        NativeSettings.apply();
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    /**
     * Runs {@code work} alone (the lock {@link #exclusive} takes) without reseeding DJL's engine, and
     * restores PyTorch's intra-op thread count afterwards: for work such as timings that must not
     * disturb a seeded training in another thread. The work itself must not draw from the engine's
     * random generator (it would shift the generator of a later seeded section on this thread).
     */
    public static <T> T isolated(Supplier<T> work) {
        NativeSettings.apply();
        LOCK.lock();
        int threads = JniUtils.getNumThreads();
        try {
            JniUtils.setGradMode(false);
            return work.get();
        } finally {
            if (JniUtils.getNumThreads() != threads) {
                JniUtils.setNumThreads(threads);
            }
            LOCK.unlock();
        }
    }
}
