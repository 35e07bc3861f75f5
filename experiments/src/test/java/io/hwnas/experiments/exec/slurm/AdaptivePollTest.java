package io.hwnas.experiments.exec.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The driver polls fast after progress and backs off to poll_interval_ms while nothing happens. */
class AdaptivePollTest {

    @Test
    void backsOffByHalvesAndResetsOnProgress() {
        AdaptivePoll p = new AdaptivePoll(2000);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waits.add(p.next(false));
        }
        assertEquals(List.of(100L, 150L, 225L, 337L, 505L, 757L, 1135L, 1702L, 2000L, 2000L), waits);
        assertEquals(100L, p.next(true));
        assertEquals(100L, p.next(false));
        assertEquals(150L, p.next(false));
    }

    @Test
    void aMaximumBelowTheMinimumIsKept() {
        AdaptivePoll p = new AdaptivePoll(10);
        assertEquals(10L, p.next(false));
        assertEquals(10L, p.next(false));
        assertEquals(10L, p.next(true));
    }
}
