package io.hwnas.experiments.agent.device;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.table.Measurements;
import io.hwnas.experiments.agent.AgentClient;
import io.hwnas.experiments.agent.Measurement;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A seeded sample of distinct architectures of a space, each exported to ONNX (seeded random weights)
 * and timed on an agent: the measurements {@code cost validate --agent} calibrates on and scores.
 */
public final class AgentSample {

    /** The column the latencies are in. */
    public static final String COLUMN = "latency_ms";
    /** The column the architectures are in. */
    public static final String ARCH = "arch_str";

    private AgentSample() {
    }

    /** {@code count} distinct architectures drawn with {@code seed}, in draw order. */
    public static List<Architecture> draw(SearchSpace space, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<Architecture> out = new ArrayList<>();
        for (int tries = 0; out.size() < count; tries++) {
            if (tries > 100 * count) {
                throw new IllegalArgumentException("space " + space.name() + " gave only " + out.size()
                        + " distinct architectures in " + tries + " draws; ask for fewer");
            }
            Architecture a = space.sample(random);
            if (seen.add(a.canonical())) {
                out.add(a);
            }
        }
        return out;
    }

    /** Times each architecture on the agent (progress: one line per architecture). */
    public static Measurements measure(SearchSpace space, List<Architecture> archs, AgentClient agent, int warmup,
            int runs, String statistic, Consumer<String> progress) {
        List<String> names = new ArrayList<>();
        double[] ms = new double[archs.size()];
        for (int i = 0; i < ms.length; i++) {
            Architecture a = archs.get(i);
            Measurement m = agent.measure(DeviceProbe.onnx(space.network(a)), warmup, runs);
            names.add(a.canonical());
            ms[i] = m.latency(statistic);
            progress.accept(String.format(Locale.ROOT, "%d/%d median %.3f ms (p10 %.3f, p90 %.3f, cpu %.3f)", i + 1,
                    ms.length, m.medianMs(), m.p10Ms(), m.p90Ms(), m.cpuMedianMs()));
        }
        return new Measurements("agent " + agent.url() + " (" + statistic + ")", COLUMN, names, ms);
    }

    /** Writes measurements as CSV ({@value #ARCH},{@value #COLUMN}), readable by {@code cost validate --measurements}. */
    public static void write(Measurements m, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(ARCH + "," + COLUMN + "\n");
            for (int i = 0; i < m.size(); i++) {
                w.write("\"" + m.archs().get(i).replace("\"", "\"\"") + "\"," + m.values()[i] + "\n");
            }
        }
    }
}
