package io.hwnas.search;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Child random generators derived from (seed, purpose, index), never from call order, so that every
 * random stream of a run is reproducible on its own.
 */
public final class Seeds {

    private Seeds() {
    }

    /** A generator for one purpose of a run seeded with {@code seed}. */
    public static RandomGenerator generator(long seed, String purpose) {
        return generator(seed, purpose, 0);
    }

    /** A generator for the {@code index}-th use of one purpose (e.g. a generation number). */
    public static RandomGenerator generator(long seed, String purpose, long index) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (int i = 0; i < purpose.length(); i++) {
            h = mix(h ^ purpose.charAt(i));
        }
        return new SplittableRandom(mix(h ^ mix(index + 0x632BE59BD9B4E019L)));
    }

    private static long mix(long z) { // SplitMix64 finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
