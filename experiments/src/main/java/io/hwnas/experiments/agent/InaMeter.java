package io.hwnas.experiments.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Energy from the INA3221 power monitors of Jetson boards through hwmon ({@code name} = ina3221): each
 * channel's bus voltage ({@code inN_input}, mV) times its current ({@code currN_input}, mA), summed over
 * the channels and sampled every {@value #PERIOD_MS} ms while the work runs; energy is the mean power
 * times the time.
 */
final class InaMeter implements EnergyMeter {

    static final long PERIOD_MS = 5;

    private final List<Path[]> channels;

    private InaMeter(List<Path[]> channels) {
        this.channels = channels;
    }

    /** A meter or why there is none. */
    record Found(InaMeter meter, String reason) {
    }

    static Found find(Path hwmon) {
        if (!Files.isDirectory(hwmon)) {
            return new Found(null, hwmon + " does not exist");
        }
        try (var dirs = Files.list(hwmon)) {
            for (Path d : dirs.sorted().toList()) {
                Path name = d.resolve("name");
                if (!Files.isReadable(name) || !Files.readString(name).strip().startsWith("ina3221")) {
                    continue;
                }
                List<Path[]> ch = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    Path v = d.resolve("in" + i + "_input");
                    Path c = d.resolve("curr" + i + "_input");
                    if (Files.isReadable(v) && Files.isReadable(c)) {
                        ch.add(new Path[] {v, c});
                    }
                }
                if (!ch.isEmpty()) {
                    return new Found(new InaMeter(ch), null);
                }
            }
        } catch (IOException e) {
            return new Found(null, hwmon + " cannot be listed: " + e.getMessage());
        }
        return new Found(null, "no readable INA3221 sensor under " + hwmon);
    }

    /** Watts now, over all channels. */
    double watts() {
        double w = 0;
        for (Path[] c : channels) {
            try {
                w += Double.parseDouble(Files.readString(c[0]).strip()) * Double.parseDouble(Files.readString(c[1])
                        .strip()) / 1e6;
            } catch (IOException | NumberFormatException e) {
                throw new IllegalStateException(c[0].getParent() + " became unreadable: " + e.getMessage(), e);
            }
        }
        return w;
    }

    @Override
    public double joules(Runnable work) {
        double[] sum = {0};
        int[] n = {0};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sum[0] += watts();
                n[0]++;
                try {
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ina3221-sampler");
        long start = System.nanoTime();
        sampler.start();
        try {
            work.run();
        } finally {
            sampler.interrupt();
        }
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double mean = n[0] == 0 ? watts() : sum[0] / n[0];
        return mean * seconds;
    }

    @Override
    public String describe() {
        return "INA3221 hwmon, " + channels.size() + " channel(s) sampled every " + PERIOD_MS + " ms";
    }
}
