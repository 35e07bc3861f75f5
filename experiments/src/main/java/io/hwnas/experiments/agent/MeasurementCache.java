package io.hwnas.experiments.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Agent measurements of a run, by device and architecture key: an append-only JSON-lines file
 * ({@code agent-measurements.jsonl} in the run directory), one measurement a line, synced per line, so
 * a killed or resumed run finds every measurement it made and measures nothing twice; a torn last
 * line (a kill mid-write) is ignored.
 */
public final class MeasurementCache {

    /** The file name in a run directory. */
    public static final String FILE = "agent-measurements.jsonl";

    /** One measurement: the latency (ms) and the energy per inference (mJ; NaN when the agent's counter gave none). */
    private record Entry(double latencyMs, double energyMj) {
    }

    private final Path file;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private MeasurementCache(Path file) {
        this.file = file;
    }

    /** The cache of a run directory, with what earlier processes measured. */
    public static synchronized MeasurementCache open(Path runDir) {
        MeasurementCache c = new MeasurementCache(runDir.resolve(FILE));
        if (Files.exists(c.file)) {
            try {
                cutTornLine(c.file);
                List<String> lines = Files.readAllLines(c.file, StandardCharsets.UTF_8);
                for (String line : lines) {
                    JsonNode n;
                    try {
                        n = Json.MAPPER.readTree(line);
                    } catch (IOException e) {
                        continue; // a torn last line
                    }
                    if (n != null && n.hasNonNull("latency_ms")) {
                        JsonNode mj = n.path("measurement").path("energy").path("mj_per_inference");
                        c.entries.put(key(n.path("device").asText(), n.path("key").asText()),
                                new Entry(n.get("latency_ms").asDouble(), mj.isNumber() ? mj.asDouble() : Double.NaN));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + c.file, e);
            }
        }
        return c;
    }

    /** Drops a last line without its newline (a kill mid-write), so the next append starts a line. */
    private static void cutTornLine(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') {
            end--;
        }
        if (end < all.length) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(end);
                ch.force(true);
            }
        }
    }

    /** The architecture keys measured on a device, in the order they were measured. */
    public synchronized List<String> keys(String device) {
        String prefix = device + "\u0000";
        List<String> out = new ArrayList<>();
        for (String k : entries.keySet()) {
            if (k.startsWith(prefix)) {
                out.add(k.substring(prefix.length()));
            }
        }
        return out;
    }

    private static String key(String device, String arch) {
        return device + "\u0000" + arch;
    }

    /** The latency measured earlier, or null. */
    public synchronized Double get(String device, String archKey) {
        Entry e = entries.get(key(device, archKey));
        return e == null ? null : e.latencyMs();
    }

    /** The energy per inference (mJ) the agent's counter gave with that latency, or NaN when it gave none. */
    public synchronized double energy(String device, String archKey) {
        Entry e = entries.get(key(device, archKey));
        return e == null ? Double.NaN : e.energyMj();
    }

    /** How many measurements the cache holds for a device. */
    public synchronized int count(String device) {
        String prefix = device + "\u0000";
        return (int) entries.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** Records a measurement (appended and synced before this returns). */
    public synchronized void put(String device, String archKey, double latencyMs, Measurement m) {
        ObjectNode o = Json.object();
        o.put("device", device);
        o.put("key", archKey);
        o.put("latency_ms", latencyMs);
        o.set("measurement", m.json());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap((Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature
                    .INDENT_OUTPUT).writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
        entries.put(key(device, archKey), new Entry(latencyMs, m.energyMj()));
    }
}
