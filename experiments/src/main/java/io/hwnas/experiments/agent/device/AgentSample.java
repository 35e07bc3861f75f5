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
import org.apache.commons.math3.stat.descriptive.rank.Median;

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

    /**
     * Times each architecture on the agent in {@code rounds} round-robin passes over the list and keeps the median
     * of its rounds: a slow drift of the device's speed (clock, thermal state, other load) then touches every
     * network alike instead of shifting the few measured while it lasted (progress: one line per measurement).
     */
    public static Measurements measure(SearchSpace space, List<Architecture> archs, AgentClient agent, int warmup,
            int runs, int rounds, String statistic, Consumer<String> progress) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, but was " + rounds);
        }
        List<String> names = new ArrayList<>();
        double[][] each = new double[archs.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < archs.size(); i++) {
                Architecture a = archs.get(i);
                Measurement m = agent.measure(DeviceProbe.onnx(space.network(a)), warmup, runs);
                each[i][r] = m.latency(statistic);
                progress.accept(String.format(Locale.ROOT, "%s%d/%d median %.3f ms (p10 %.3f, p90 %.3f, cpu %.3f)",
                        rounds > 1 ? "round " + (r + 1) + "/" + rounds + " " : "", i + 1, archs.size(), m.medianMs(),
                        m.p10Ms(), m.p90Ms(), m.cpuMedianMs()));
            }
        }
        double[] ms = new double[archs.size()];
        Median median = new Median();
        for (int i = 0; i < ms.length; i++) {
            names.add(archs.get(i).canonical());
            ms[i] = rounds == 1 ? each[i][0] : median.evaluate(each[i]);
        }
        String how = statistic + (rounds > 1 ? ", median of " + rounds + " round-robin rounds" : "");
        return new Measurements("agent " + agent.url() + " (" + how + ")", COLUMN, names, ms);
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
