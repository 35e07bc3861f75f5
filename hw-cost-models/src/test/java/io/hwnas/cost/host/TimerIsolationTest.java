package io.hwnas.cost.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.data.SyntheticImages;
import io.hwnas.core.djl.DjlRuntime;
import io.hwnas.core.ir.Network;
import io.hwnas.core.djl.Autograd;
import io.hwnas.core.train.TrainOptions;
import io.hwnas.core.train.TrainResult;
import io.hwnas.core.train.Training;
import io.hwnas.cost.Toy;
import io.hwnas.cost.device.DeviceCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code measured} timings do not race a training in another thread for DJL's random generator or thread count. */
class TimerIsolationTest {

    private static float[] draw() {
        try (NDManager m = NDManager.newBaseManager()) {
            return m.randomNormal(new Shape(16)).toFloatArray();
        }
    }

    @Test
    void aTimingDrawsNothingFromTheEngineGenerator() {
        DjlRuntime.seed(11);
        float[] alone = draw();
        DjlRuntime.seed(11);
        double ms = Timer.medianMs(Toy.chain(8, 2, 8), 2, 1, 3);
        float[] afterTiming = draw();
        assertTrue(ms > 0 && Double.isFinite(ms), "ms " + ms);
        assertArrayEquals(alone, afterTiming, "the timing drew from (or reseeded) DJL's global generator");
        // and the measured model times the same way
        DjlRuntime.seed(11);
        new MeasuredModel(1, 2).estimate(Toy.ARCH, Toy.chain(8, 2, 8), DeviceCatalog.get("raspi4"), 1);
        assertArrayEquals(alone, draw());
    }

    @Test
    void isolatedWorkLeavesTheThreadCountAsItFoundIt() {
        DjlRuntime.start();
        int before = DjlRuntime.threads();
        Autograd.isolated(() -> {
            DjlRuntime.setThreads(before + 1);
            return null;
        });
        assertEquals(before, DjlRuntime.threads());
    }

    @Test
    void aTrainingWithTimingsInAnotherThreadEqualsTheTrainingAlone(@TempDir Path dir) throws Exception {
        DataSplits d = SyntheticImages.splits(256, 64, new io.hwnas.core.ir.Shape(3, 32, 32), 10, 3);
        ImageDataset.Split data = new ImageDataset.Split(d.train(), d.test());
        Network net = Toy.chain(8, 2, 32);
        TrainOptions o = TrainOptions.defaults().withSteps(12).withBatch(16).withWarmup(2).withThreads(1);
        Path aloneWeights = dir.resolve("alone.bin");
        TrainResult alone = Training.train(net, data, o, 5, aloneWeights);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger timings = new AtomicInteger();
        Thread timer = new Thread(() -> {
            while (!stop.get()) {
                Timer.medianMs(Toy.chain(8, 1, 16), 2, 0, 2);
                timings.incrementAndGet();
            }
        }, "timer");
        timer.start();
        try {
            while (timings.get() == 0) {
                Thread.sleep(5);
            }
            for (int i = 0; i < 3; i++) {
                Path w = dir.resolve("interleaved" + i + ".bin");
                TrainResult r = Training.train(net, data, o, 5, w);
                assertEquals(alone.lossCurve(), r.lossCurve(), "run " + i + ": the loss curve changed");
                assertEquals(alone.top1(), r.top1());
                assertArrayEquals(Files.readAllBytes(aloneWeights), Files.readAllBytes(w), "run " + i + ": weights");
            }
        } finally {
            stop.set(true);
            timer.join();
        }
        assertTrue(timings.get() > 1, "the timer thread ran " + timings.get() + " timings");
    }
}
