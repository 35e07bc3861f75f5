package io.hwnas.experiments.agent.device;

import io.hwnas.core.ir.Network;
import io.hwnas.cost.table.KernelUnits;
import io.hwnas.cost.table.Lut;
import io.hwnas.experiments.agent.AgentClient;
import io.hwnas.experiments.agent.Measurement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A device's kernel table for a space (nn-Meter's practice): every distinct kernel
 * ({@link KernelUnits}) of the given networks, rebuilt as a one-kernel network, exported like the
 * probe's micro-benchmarks and timed on the agent. The table is a {@link Lut} file
 * ({@code signature,ms}); kernels already in it are not measured again, and it is rewritten
 * atomically after every 25 new kernels and at the end, so an interrupted run keeps what it measured.
 */
public final class KernelTables {

    private static final int SAVE_EVERY = 25;
    private static final int COPIES = 5;

    private KernelTables() {
    }

    /**
     * The table at {@code file}, or an empty one when there is none yet.
     *
     * @throws IllegalArgumentException naming the file, line and value of a malformed table
     */
    public static Lut read(Path file) {
        return Files.exists(file) ? Lut.read(file) : new Lut(file.toString(), Map.of());
    }

    /**
     * Measures the kernels of {@code networks} that {@code table} lacks, writes the table to {@code file}
     * and returns it.
     */
    public static Lut fill(Path file, Lut table, List<Network> networks, AgentClient agent, int warmup, int runs,
            String statistic, Consumer<String> progress) {
        Map<String, Double> entries = new TreeMap<>(table.entries());
        Map<String, KernelUnits.Unit> missing = new LinkedHashMap<>();
        for (Network n : networks) {
            for (KernelUnits.Unit u : KernelUnits.of(n)) {
                if (!entries.containsKey(u.signature())) {
                    missing.putIfAbsent(u.signature(), u);
                }
            }
        }
        int done = 0;
        for (KernelUnits.Unit u : missing.values()) {
            Measurement one = agent.measure(DeviceProbe.onnx(KernelUnits.network(u, 1)), warmup, runs);
            double ms = one.latency(statistic);
            String how = "alone";
            if (KernelUnits.chains(u)) {
                Measurement chain = agent.measure(DeviceProbe.onnx(KernelUnits.network(u, COPIES)), warmup, runs);
                ms = Math.max(0, (chain.latency(statistic) - ms) / (COPIES - 1));
                how = COPIES + " copies less one";
            }
            entries.put(u.signature(), ms);
            done++;
            progress.accept(String.format(Locale.ROOT, "kernel %d/%d %s: %s %.4f ms (%s; alone median %.4f)", done,
                    missing.size(), u.layers().get(0).name(), statistic, ms, how, one.medianMs()));
            if (done % SAVE_EVERY == 0) {
                save(file, entries);
            }
        }
        save(file, entries);
        return new Lut(file.toString(), entries);
    }

    private static void save(Path file, Map<String, Double> entries) {
        try {
            new Lut(file.toString(), entries).write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kernel table " + file, e);
        }
    }
}
