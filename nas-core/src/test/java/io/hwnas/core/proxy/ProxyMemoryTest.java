package io.hwnas.core.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, opt-in ({@code -Dhwnas.heavy=true}): 1,000 proxy evaluations of sampled NB201
 * cells (synflow, nwot and snip in turn; 16x16 inputs; about 40 s on 2 cores) and the process RSS,
 * which must stay within 10% of its value after the first 100. RSS is read every 50 evaluations
 * after a full collection, so that it measures what is retained (native tensors, heap that holds
 * live objects) rather than garbage the collector has not yet reclaimed.
 */
@EnabledIfSystemProperty(named = "hwnas.heavy", matches = "true")
class ProxyMemoryTest {

    static long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void thousandEvaluationsKeepRssFlat() throws IOException {
        SearchSpace s = SearchSpaces.get("nb201");
        ZeroCostProxy[] proxies = {new Synflow(), new Nwot(), new Snip()};
        Shape in = new Shape(3, 16, 16);
        ProxyBatch batch = ProxyBatch.gaussian(16, in, 10, 0);
        SplittableRandom r = new SplittableRandom(1);
        long base = 0;
        long max = 0;
        long t0 = System.nanoTime();
        for (int i = 1; i <= 1000; i++) {
            Network n = s.network(s.sample(r), in, 10);
            proxies[i % 3].score(n, batch, i);
            if (i % 50 == 0 && i >= 100) {
                System.gc();
                long rss = rssKb();
                if (i == 100) {
                    base = rss;
                }
                max = Math.max(max, rss);
                System.out.printf("after %d evaluations: RSS %d MiB, heap committed %d MiB (%.1f s)%n", i,
                        rss / 1024, Runtime.getRuntime().totalMemory() >> 20, (System.nanoTime() - t0) / 1e9);
            }
        }
        System.out.printf("RSS after 100: %d KiB, max after: %d KiB (+%.1f%%)%n", base, max, 100.0 * (max - base) / base);
        assertTrue(max <= base * 1.10, "RSS grew from " + base + " to " + max + " KiB");
    }
}
